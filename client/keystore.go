package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/qapitools/qapi/gen"
)

// KeyStore is the cluster's at-rest encryption key store, as KeyStore reads
// it: a LocalKeyStore or a KMSKeyStore. Switch on the type:
//
//	switch ks := ks.(type) {
//	case client.LocalKeyStore:
//		fmt.Println("local,", ks.Status)
//	case client.KMSKeyStore:
//		fmt.Println("KMS at", ks.Hostname, ks.Port)
//	}
//
// No other types implement KeyStore.
type KeyStore interface {
	// Type returns "Local" or "KMS", the discriminator the cluster sends.
	Type() string
	// ETag returns the entity tag of the configuration that was read (empty
	// if the cluster sent none). Pass it to IfMatch on a write so that the
	// write fails with ErrPreconditionFailed if someone changed it meanwhile.
	ETag() string
	isKeyStore()
}

// EncryptionStatus says whether data at rest is encrypted with a local key store.
type EncryptionStatus string

// The statuses a local key store reports.
const (
	Encrypted    EncryptionStatus = "Encrypted"
	NotEncrypted EncryptionStatus = "Not Encrypted"
)

// LocalKeyStore is a key store kept on the cluster itself.
type LocalKeyStore struct {
	// Status says whether encryption at rest is enabled.
	Status EncryptionStatus
	etag   string
}

// Type returns "Local".
func (LocalKeyStore) Type() string { return "Local" }

// ETag returns the entity tag of the configuration read.
func (k LocalKeyStore) ETag() string { return k.etag }

func (LocalKeyStore) isKeyStore() {}

// KMSKeyStore is a key store on an external Key Management Server (KMIP).
type KMSKeyStore struct {
	// Hostname is the Key Management Server's host name.
	Hostname string
	// Port is the Key Management Server's port (5696 by default).
	Port int
	// KeyID is the ID of the master key on the Key Management Server.
	KeyID string
	// ConfigCreationTime is when the current configuration became active.
	ConfigCreationTime time.Time
	etag               string
}

// Type returns "KMS".
func (KMSKeyStore) Type() string { return "KMS" }

// ETag returns the entity tag of the configuration read.
func (k KMSKeyStore) ETag() string { return k.etag }

func (KMSKeyStore) isKeyStore() {}

// KeyStore reads the active at-rest encryption key store
// (GET /v2/encryption/key-store). A non-2xx answer is an *APIError.
func (c *Client) KeyStore(ctx context.Context) (KeyStore, error) {
	req, err := gen.NewGetEncryptionKeyStoreRequest(c.server)
	resp, body, err := c.exchange(ctx, "GetEncryptionKeyStore", req, err, nil)
	if err != nil {
		return nil, err
	}
	var u gen.EncryptionV2KeyStoreResponseUnion
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, c.decodeError(resp, err)
	}
	v, err := u.ValueByDiscriminator()
	if err != nil {
		return nil, c.decodeError(resp, err)
	}
	etag := resp.Header.Get("ETag")
	switch v := v.(type) {
	case gen.EncryptionV2KeyStoreResponseLocal:
		return LocalKeyStore{Status: EncryptionStatus(v.LocalStore.Status), etag: etag}, nil
	case gen.EncryptionV2KeyStoreResponseKMS:
		return KMSKeyStore{
			Hostname:           v.KMSStore.Hostname,
			Port:               int(v.KMSStore.Port),
			KeyID:              v.KMSStore.KeyID,
			ConfigCreationTime: v.KMSStore.ConfigCreationTime,
			etag:               etag,
		}, nil
	default:
		return nil, c.decodeError(resp, fmt.Errorf("unexpected key store %T", v))
	}
}

// DefaultKMSPort is the KMIP port a KMSConfig with Port 0 uses.
const DefaultKMSPort = 5696

// KMSConfig says how the cluster reaches a Key Management Server. Printing
// it with fmt (any verb), logging it with slog or marshalling it to JSON
// shows the certificates' sizes and never the private key.
type KMSConfig struct {
	// Hostname is the Key Management Server's host name. Required.
	Hostname string
	// Port is the Key Management Server's port; 0 means DefaultKMSPort (5696).
	Port int
	// KeyID is the ID of the master key on the Key Management Server. Required.
	KeyID string
	// ServerCACert is the PEM CA certificate the cluster uses to verify the
	// Key Management Server.
	ServerCACert string
	// ClientCert is the PEM certificate the cluster presents to the Key
	// Management Server.
	ClientCert string
	// ClientPrivateKey is the PEM private key of ClientCert. It is sent to the
	// cluster and never printed, logged or included in an error.
	ClientPrivateKey string
}

func (k KMSConfig) port() int {
	if k.Port == 0 {
		return DefaultKMSPort
	}
	return k.Port
}

func pemSize(s string) string {
	if s == "" {
		return "none"
	}
	return fmt.Sprintf("%d bytes", len(s))
}

func privateKeyMark(s string) string {
	if s == "" {
		return "none"
	}
	return redacted
}

// String describes k with the private key redacted.
func (k KMSConfig) String() string {
	return fmt.Sprintf("KMSConfig{Hostname: %q, Port: %d, KeyID: %q, ServerCACert: %s, ClientCert: %s, ClientPrivateKey: %s}",
		k.Hostname, k.port(), k.KeyID, pemSize(k.ServerCACert), pemSize(k.ClientCert), privateKeyMark(k.ClientPrivateKey))
}

// GoString describes k with the private key redacted, for %#v.
func (k KMSConfig) GoString() string { return "client." + k.String() }

// Format prints String (GoString for %#v) whatever the verb, so that no verb
// falls back to printing the fields one by one.
func (k KMSConfig) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, k.GoString())
		return
	}
	_, _ = io.WriteString(f, k.String())
}

// LogValue describes k for slog with the private key redacted.
func (k KMSConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("hostname", k.Hostname),
		slog.Int("port", k.port()),
		slog.String("key_id", k.KeyID),
		slog.String("server_ca_cert", pemSize(k.ServerCACert)),
		slog.String("client_cert", pemSize(k.ClientCert)),
		slog.String("client_private_key", privateKeyMark(k.ClientPrivateKey)),
	)
}

// MarshalJSON encodes k with the private key replaced by "[REDACTED]", so a
// KMSConfig dumped into a log or report cannot leak it.
func (k KMSConfig) MarshalJSON() ([]byte, error) {
	type plain KMSConfig
	p := plain(k)
	if p.ClientPrivateKey != "" {
		p.ClientPrivateKey = redacted
	}
	return json.Marshal(p)
}

// A RequestOption changes a request before the client sends it; IfMatch is
// one. Every method of the services and the key-store helpers take them.
type RequestOption func(ctx context.Context, req *http.Request) error

// ErrEmptyETag is the error of a call given IfMatch(""): read the resource
// with SaveETag (or its ETag method) first.
var ErrEmptyETag = errors.New("IfMatch with an empty ETag guards nothing")

// ErrIfMatchTwice is the error of a call given two different If-Match
// values, one in its params and one by IfMatch: neither silently wins.
var ErrIfMatchTwice = errors.New("two different If-Match values")

// IfMatch returns a RequestOption that sends If-Match: etag, so a write
// applies only if the resource still has that ETag (else ErrPreconditionFailed):
//
//	err := c.UseLocalKeyStore(ctx, client.IfMatch(ks.ETag()))
//
// An empty etag is an error (ErrEmptyETag), and nothing is sent: a guard
// that silently guards nothing is the trap it would be.
func IfMatch(etag string) RequestOption {
	return func(_ context.Context, req *http.Request) error {
		if etag == "" {
			return ErrEmptyETag
		}
		if set := req.Header.Get("If-Match"); set != "" && set != etag {
			return fmt.Errorf("%w: the params carry If-Match %q and IfMatch gives %q", ErrIfMatchTwice, set, etag)
		}
		req.Header.Set("If-Match", etag)
		return nil
	}
}

// UseLocalKeyStore switches the cluster to its local key store
// (PUT /v2/encryption/key-store). Pass IfMatch to guard against concurrent
// changes. A non-2xx answer is an *APIError.
func (c *Client) UseLocalKeyStore(ctx context.Context, opts ...RequestOption) error {
	var body gen.EncryptionV2PutKeyStoreUnion
	if err := body.FromEncryptionV2PutKeyStoreLocal(gen.EncryptionV2PutKeyStoreLocal{}); err != nil {
		return fmt.Errorf("use local key store: %w", err)
	}
	return c.putKeyStore(ctx, body, opts)
}

// UseKMSKeyStore switches the cluster to the Key Management Server that cfg
// describes (PUT /v2/encryption/key-store). Hostname and KeyID are required;
// Port 0 means 5696. Pass IfMatch to guard against concurrent changes. The
// private key is sent to the cluster and redacted from every log line and
// error. A non-2xx answer is an *APIError.
func (c *Client) UseKMSKeyStore(ctx context.Context, cfg KMSConfig, opts ...RequestOption) error {
	var missing []string
	if strings.TrimSpace(cfg.Hostname) == "" {
		missing = append(missing, "Hostname")
	}
	if strings.TrimSpace(cfg.KeyID) == "" {
		missing = append(missing, "KeyID")
	}
	if len(missing) > 0 {
		return fmt.Errorf("use KMS key store: KMSConfig.%s is required", strings.Join(missing, " and KMSConfig."))
	}
	if p := cfg.port(); p < 1 || p > 65535 {
		return fmt.Errorf("use KMS key store: KMSConfig.Port %d is not in 1..65535", p)
	}
	// The key is on its way to the cluster: redact it literally too, in case
	// something echoes it in a form the PEM pattern does not recognise.
	forget := c.red.Add(cfg.ClientPrivateKey)
	defer forget()

	port := int64(cfg.port())
	store := gen.EncryptionV2PutKeyStoreUnionKMSStore{
		Hostname: &cfg.Hostname,
		Port:     &port,
		KeyID:    &cfg.KeyID,
	}
	if cfg.ServerCACert != "" {
		store.ServerCACert = &cfg.ServerCACert
	}
	if cfg.ClientCert != "" {
		store.ClientCert = &cfg.ClientCert
	}
	if cfg.ClientPrivateKey != "" {
		store.ClientPrivateKey = &cfg.ClientPrivateKey
	}
	var body gen.EncryptionV2PutKeyStoreUnion
	if err := body.FromEncryptionV2PutKeyStoreKMS(gen.EncryptionV2PutKeyStoreKMS{KMSStore: store}); err != nil {
		return errors.New("use KMS key store: encode request: " + c.red.Text(err.Error()))
	}
	return c.putKeyStore(ctx, body, opts)
}

func (c *Client) putKeyStore(ctx context.Context, body gen.EncryptionV2PutKeyStoreUnion, opts []RequestOption) error {
	return c.Encryption.ReplaceKeyStore(ctx, body, opts...)
}

// readAll reads an answer's body, which Do bounds.
func readAll(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// decodeError reports an answer the client could not understand.
func (c *Client) decodeError(resp *http.Response, err error) error {
	u := *resp.Request.URL
	u.RawQuery = ""
	return &opError{
		msg: c.red.Text(fmt.Sprintf("%s %s: decode %d answer: %v", resp.Request.Method, u.String(), resp.StatusCode, err)),
		err: err,
	}
}
