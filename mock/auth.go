package mock

import (
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
	tokens map[string]time.Time // token → expiry
}

func newSessions(cfg config) *sessions {
	return &sessions{user: cfg.user, password: cfg.password, lifetime: cfg.tokenLifetime, now: cfg.now, tokens: map[string]time.Time{}}
}

// login checks the credentials in constant time and issues a token.
func (s *sessions) login(user, password string) (string, bool) {
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.user)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(password), []byte(s.password)) == 1
	if !okUser || !okPass {
		return "", false
	}
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	tok := tokenPrefix + hex.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.tokens) >= maxSessions {
		s.prune(now)
	}
	s.tokens[tok] = now.Add(s.lifetime)
	return tok, true
}

// prune drops expired tokens, then the ones closest to expiry until there
// is room. The caller holds the lock.
func (s *sessions) prune(now time.Time) {
	for t, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	for len(s.tokens) >= maxSessions {
		var oldest string
		var at time.Time
		for t, exp := range s.tokens {
			if oldest == "" || exp.Before(at) {
				oldest, at = t, exp
			}
		}
		delete(s.tokens, oldest)
	}
}

// check answers nil for a request carrying a live token.
func (s *sessions) check(r *http.Request) error {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" {
		return newError(errUnauthorized, "authentication required: send Authorization: Bearer <token> from POST /v1/session/login")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return newError(errUnauthorized, "authentication required: the Authorization header must use the Bearer scheme")
	}
	tok = strings.TrimSpace(tok)
	s.mu.RLock()
	exp, found := s.tokens[tok]
	s.mu.RUnlock()
	switch {
	case !found:
		return newError(errUnauthorized, "invalid bearer token")
	case !s.now().Before(exp):
		return newError(errUnauthorized, "bearer token expired: log in again")
	}
	return nil
}
