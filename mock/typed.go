package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/internal/server"
)

// typedServer answers, on the generated strict server interface, the
// operations whose requests and answers gen's types say best, with the
// checks a real cluster makes: login and the key store here, the others
// beside their family's module. To type another operation, list its
// operationId in mock/internal/server/cfg.yaml, run go generate ./..., and
// write its method: the mock routes it by itself.
type typedServer struct {
	m *Mock

	mu  sync.Mutex
	kms *kmsConfig // nil while the key store is Local
	rev uint64
	// view is the rendered answer of GET for rev: reads far outnumber
	// writes, so it is rendered once per write.
	view []byte
}

var _ server.StrictServerInterface = (*typedServer)(nil)

// kmsConfig is what a cluster keeps of a KMS key store. The private key is
// checked and then dropped: it is never answered, so it is never kept.
type kmsConfig struct {
	hostname, keyID string
	port            int
	created         time.Time
}

// defaultKMSPort is the KMIP port a cluster assumes when none is given.
const defaultKMSPort = 5696

func newTypedServer(m *Mock) *typedServer { return &typedServer{m: m} }

// LoginSession issues a session token for the configured user, or a local
// user with a password (identity.go). Like
// every typed handler, it refuses with an *Error, which the strict handler's
// error hook answers in Qumulo's shape.
func (t *typedServer) LoginSession(_ context.Context, req server.LoginSessionRequestObject) (server.LoginSessionResponseObject, error) {
	if req.Body == nil {
		return nil, newError(errBadRequest, "request body: username and password are required")
	}
	tok, ok, err := t.m.auth.login(req.Body.Username, req.Body.Password)
	if !ok {
		var uid string
		if uid, ok = t.m.engine.checkPassword(req.Body.Username, req.Body.Password); ok {
			tok, err = t.m.auth.issue(uid)
		}
	}
	if !ok {
		return nil, newError(errInvalidCredentials, "login failed: wrong user name or password")
	}
	if err != nil {
		return nil, err
	}
	return server.LoginSession200JSONResponse{BearerToken: tok}, nil
}

// keyStoreView is a rendered key-store answer with its ETag; the generated
// response types have no way to set a header.
type keyStoreView struct {
	body []byte
	etag string
}

// VisitGetEncryptionKeyStoreResponse writes the answer with its ETag.
func (v keyStoreView) VisitGetEncryptionKeyStoreResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", v.etag)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(v.body)
	return err
}

// keyStorePut is a successful key-store write, which answers its new ETag.
type keyStorePut struct{ etag string }

// VisitReplaceEncryptionKeyStoreResponse writes 200 with the new ETag.
func (v keyStorePut) VisitReplaceEncryptionKeyStoreResponse(w http.ResponseWriter) error {
	w.Header().Set("ETag", v.etag)
	w.WriteHeader(http.StatusOK)
	return nil
}

// GetEncryptionKeyStore answers the arm of the union that matches the
// active type, and nothing of the other.
func (t *typedServer) GetEncryptionKeyStore(context.Context, server.GetEncryptionKeyStoreRequestObject) (server.GetEncryptionKeyStoreResponseObject, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.view == nil {
		var body gen.EncryptionV2KeyStoreResponseUnion
		var err error
		if t.kms == nil {
			err = body.FromEncryptionV2KeyStoreResponseLocal(gen.EncryptionV2KeyStoreResponseLocal{
				Type:       gen.EncryptionTypeLocal,
				LocalStore: gen.EncryptionV2KeyStoreResponseUnionLocalStore{Status: gen.EncryptionStatusEncrypted},
			})
		} else {
			err = body.FromEncryptionV2KeyStoreResponseKMS(gen.EncryptionV2KeyStoreResponseKMS{
				Type: gen.EncryptionTypeKMS,
				KMSStore: gen.EncryptionV2KeyStoreResponseUnionKMSStore{
					Hostname:           t.kms.hostname,
					KeyID:              t.kms.keyID,
					Port:               int64(t.kms.port),
					ConfigCreationTime: t.kms.created.UTC().Truncate(time.Second), // answered as 2024-10-16T12:00:00Z
				},
			})
		}
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		t.view = append(data, '\n')
	}
	return keyStoreView{body: t.view, etag: etag(t.rev)}, nil
}

// ReplaceEncryptionKeyStore switches between Local and KMS after the checks a
// cluster makes; a stale If-Match answers 412 and changes nothing.
func (t *typedServer) ReplaceEncryptionKeyStore(ctx context.Context, req server.ReplaceEncryptionKeyStoreRequestObject) (server.ReplaceEncryptionKeyStoreResponseObject, error) {
	// Refusals return an *Error, which the strict handler's error hook
	// writes like every other Qumulo error of the mock.
	fail := func(e *Error) (server.ReplaceEncryptionKeyStoreResponseObject, error) { return nil, e }
	if req.Body == nil {
		return fail(newError(errBadRequest, "request body: required"))
	}
	typ, err := req.Body.Discriminator()
	if err != nil {
		return fail(newError(errBadRequest, "request body field \"type\": %v", err))
	}
	var next *kmsConfig
	switch gen.EncryptionType(typ) {
	case gen.EncryptionTypeLocal:
	case gen.EncryptionTypeKMS:
		k, err := req.Body.AsEncryptionV2PutKeyStoreKMS()
		if err != nil {
			return fail(newError(errBadRequest, "request body: %v", err))
		}
		if next, err = checkKMS(k.KMSStore); err != nil {
			return fail(asError(err))
		}
	default:
		return fail(newError(errBadRequest, "request body field \"type\": %q is not one of Local, KMS", typ))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur := etag(t.rev); !ifMatches(ctx, cur) {
		return fail(preconditionFailed(ctx, cur))
	}
	if next != nil {
		next.created = t.m.cfg.now()
	}
	t.kms = next
	t.view = nil
	t.rev = t.m.revision.Add(1)
	return keyStorePut{etag: etag(t.rev)}, nil
}

// checkKMS makes the checks a cluster makes before it talks to a KMS.
func checkKMS(s gen.EncryptionV2PutKeyStoreUnionKMSStore) (*kmsConfig, error) {
	const field = "request body field \"kms_store.%s\": %s"
	c := &kmsConfig{hostname: strings.TrimSpace(deref(s.Hostname)), keyID: strings.TrimSpace(deref(s.KeyID)), port: defaultKMSPort}
	if c.hostname == "" {
		return nil, newError(errBadRequest, field, "hostname", "required")
	}
	if c.keyID == "" {
		return nil, newError(errBadRequest, field, "key_id", "required")
	}
	if s.Port != nil {
		if *s.Port < 1 || *s.Port > 65535 {
			return nil, newError(errBadRequest, field, "port", "must be in the range 1-65535")
		}
		c.port = int(*s.Port)
	}
	for _, p := range []struct {
		name, want string
		v          *string
	}{
		{"client_cert", "CERTIFICATE", s.ClientCert},
		{"server_ca_cert", "CERTIFICATE", s.ServerCACert},
		{"client_private_key", "PRIVATE KEY", s.ClientPrivateKey},
	} {
		v := strings.TrimSpace(deref(p.v))
		if v == "" {
			return nil, newError(errBadRequest, field, p.name, "required")
		}
		// Never quote the value: the private key must not reach an
		// error message.
		block, _ := pem.Decode([]byte(v))
		if block == nil || !strings.HasSuffix(block.Type, p.want) || len(bytes.TrimSpace(block.Bytes)) == 0 {
			return nil, newError(errBadRequest, field, p.name, "must be a PEM-encoded "+strings.ToLower(p.want))
		}
	}
	return c, nil
}

// stored is a value of gen's types as the engine's store keeps values:
// decoded JSON, so the engine lists and reads it like any other item.
func stored(v any) map[string]any {
	data, _ := json.Marshal(v) // gen's types always marshal
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return m
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
