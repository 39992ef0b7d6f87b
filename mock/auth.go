package mock

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// tokenPrefix marks a session token, as a cluster issues them.
const tokenPrefix = "session-v1:"

// maxSessions bounds the token table; past it, expired tokens are dropped
// and then the oldest, so a client logging in in a loop cannot grow the
// mock without bound.
const maxSessions = 4096

// sessions issues and checks bearer tokens.
type sessions struct {
	user, password string
	lifetime       time.Duration
	now            func() time.Time

	mu     sync.RWMutex
	tokens map[string]session
	// accessToken answers whom a token that is no session stands for
	// (access_tokens.go).
	accessToken func(tok string) (user string, err error)
}

// session is what a token stands for: until when, and for whom: the
// configured user (""), or the auth id of a local user who logged in.
type session struct {
	expiry time.Time
	user   string
}

func newSessions(cfg config) *sessions {
	return &sessions{user: cfg.user, password: cfg.password, lifetime: cfg.tokenLifetime, now: cfg.now, tokens: map[string]session{}}
}

// login checks the configured user's credentials in constant time and
// issues a token.
func (s *sessions) login(user, password string) (string, bool) {
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.user)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(password), []byte(s.password)) == 1
	if !okUser || !okPass {
		return "", false
	}
	return s.issue(""), true
}

// issue makes a token for a user (see session).
func (s *sessions) issue(user string) string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	tok := tokenPrefix + hex.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= maxSessions {
		s.prune(now)
	}
	s.tokens[tok] = session{expiry: now.Add(s.lifetime), user: user}
	return tok
}

// prune drops expired tokens, then the ones closest to expiry until there
// is room. The caller holds the lock.
func (s *sessions) prune(now time.Time) {
	for t, ss := range s.tokens {
		if !now.Before(ss.expiry) {
			delete(s.tokens, t)
		}
	}
	for len(s.tokens) >= maxSessions {
		var oldest string
		var at time.Time
		for t, ss := range s.tokens {
			if oldest == "" || ss.expiry.Before(at) {
				oldest, at = t, ss.expiry
			}
		}
		delete(s.tokens, oldest)
	}
}

// check answers whom a request's live token stands for (see session).
func (s *sessions) check(r *http.Request) (user string, err error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" {
		return "", newError(errUnauthorized, "authentication required: send Authorization: Bearer <token> from POST /v1/session/login")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", newError(errUnauthorized, "authentication required: the Authorization header must use the Bearer scheme")
	}
	tok = strings.TrimSpace(tok)
	s.mu.RLock()
	ss, found := s.tokens[tok]
	s.mu.RUnlock()
	switch {
	case !found:
		return s.accessToken(tok)
	case !s.now().Before(ss.expiry):
		return "", newError(errUnauthorized, "bearer token expired: log in again")
	}
	return ss.user, nil
}

type userKey struct{}

// sessionUser is the local user a request's session stands for, "" for
// the configured user.
func sessionUser(ctx context.Context) string {
	uid, _ := ctx.Value(userKey{}).(string)
	return uid
}
