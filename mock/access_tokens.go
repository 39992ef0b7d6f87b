package mock

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/internal/server"
)

// accessTokens is the collection of long-lived access tokens, which
// automation uses instead of logging in: the bearer token a create answers
// authenticates as the token's user until the token is disabled, expires
// or is deleted.
const accessTokens = "/auth/access-tokens"

// accessTokenPrefix marks an access token, as a cluster issues them.
const accessTokenPrefix = "access-v1:"

// CreateAuthAccessToken makes an access token for a local user. The answer
// is the only one with the bearer token: the item stored, and listed, is
// its metadata, and the engine keeps only a digest of the token.
func (t *typedServer) CreateAuthAccessToken(ctx context.Context, req server.CreateAuthAccessTokenRequestObject) (server.CreateAuthAccessTokenResponseObject, error) {
	var body gen.CreateAccessTokenRequest
	if req.Body != nil {
		body = *req.Body
	}
	var who gen.Identity
	if body.User != nil {
		who = *body.User
	}
	if err := checkExpiration(deref(body.ExpirationTime)); err != nil {
		return nil, err
	}
	e := t.m.engine
	defer e.lock()()
	user, err := e.owner(deref(who.AuthID), deref(who.Name))
	if err != nil {
		return nil, err
	}
	creator, err := e.owner(cmp.Or(sessionUser(ctx), adminID), "")
	if err != nil {
		return nil, err
	}
	coll := e.colls[accessTokens]
	meta := gen.AccessTokenMetadata{
		ID:             new(e.newID(coll, accessTokens)),
		CreationTime:   new(e.m.cfg.now().UTC().Format(time.RFC3339)),
		Creator:        identityOf(creator),
		Enabled:        new(true),
		ExpirationTime: body.ExpirationTime,
		User:           identityOf(user),
	}
	if _, err := e.insert(nil, coll, accessTokens, *meta.ID, stored(meta)); err != nil {
		return nil, err
	}
	e.forgetDeletedAccessTokens()
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	tok := accessTokenPrefix + hex.EncodeToString(b[:])
	e.accessTokens[sha256.Sum256([]byte(tok))] = *meta.ID
	return server.CreateAuthAccessToken200JSONResponse{BearerToken: new(tok), ID: meta.ID}, nil
}

// checkExpiration refuses an expiration time that is not RFC 3339, on
// create and on update alike, so that every token stored can be checked.
func checkExpiration(exp string) error {
	if exp == "" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339Nano, exp); err != nil {
		return newError(errInvalidRequest, "request body field \"expiration_time\": %q is not an RFC 3339 time", exp)
	}
	return nil
}

// identityOf is a local user's identity as the API shows it.
func identityOf(user map[string]any) *gen.Identity {
	return &gen.Identity{AuthID: new(scalarString(user["id"])), Domain: new(gen.DomainLocal),
		Name: new(scalarString(user["name"])), SID: new(scalarString(user["sid"]))}
}

// accessTokenUser answers whom a live access token stands for: the auth id
// of its user, while the token exists, is enabled and has not expired.
func (e *engine) accessTokenUser(tok string) (string, error) {
	if !strings.HasPrefix(tok, accessTokenPrefix) {
		return "", newError(errUnauthorized, "invalid bearer token")
	}
	e.mu.RLock() // read only: automation's every request passes here
	defer e.mu.RUnlock()
	id, ok := e.accessTokens[sha256.Sum256([]byte(tok))]
	k, found := e.findItem(accessTokens, id)
	if !ok || !found {
		return "", newError(errUnauthorized, "invalid bearer token")
	}
	meta := objectOf(e.res[k].value)
	if enabled, _ := meta["enabled"].(bool); !enabled {
		return "", newError(errUnauthorized, "access token %s is disabled", id)
	}
	if exp, err := time.Parse(time.RFC3339Nano, scalarString(meta["expiration_time"])); err == nil && !e.m.cfg.now().Before(exp) {
		return "", newError(errUnauthorized, "access token %s expired", id)
	}
	user, _ := meta["user"].(map[string]any)
	return scalarString(user["auth_id"]), nil
}

// forgetDeletedAccessTokens drops the digests of deleted tokens once they
// outnumber the live ones, so creating and deleting tokens in a loop cannot
// grow the mock without bound. The caller holds the lock.
func (e *engine) forgetDeletedAccessTokens() {
	live := len(e.kids[accessTokens])
	if len(e.accessTokens) <= 2*live+16 {
		return
	}
	for digest, id := range e.accessTokens {
		if _, ok := e.findItem(accessTokens, id); !ok {
			delete(e.accessTokens, digest)
		}
	}
}
