package mock

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// tokenPrefix marks a session token, as a cluster issues them.
const tokenPrefix = "session-v1:"

// Bounds of the token table. A user holds at most maxUserSessions
// sessions: one more evicts that user's oldest. Past maxSessions in all,
// expired tokens are dropped, then the oldest of the user logging in; a
// user who holds none is refused with 429 until sessions expire. So a
// client logging in in a loop can neither grow the mock without bound nor
// end another user's sessions (qapi issue 21).
const (
	maxSessions     = 8192
	maxUserSessions = 256
)

// sessions issues and checks bearer tokens.
type sessions struct {
	user, password string
	lifetime       time.Duration
	now            func() time.Time

	mu     sync.RWMutex
	tokens map[string]session
	// byUser lists the tokens of each user (see session) oldest first:
	// exactly the tokens of that user in tokens.
	byUser map[string][]string
	// accessToken answers whom a token that is no session stands for
	// (access_tokens.go).
	accessToken func(tok string) (user string, err error)
}

// session is what a token stands for: until when, and for whom: the
// configured user (""), or the auth id of a local user who logged in. Auth
// ids are never reused (the engine's counter only grows), and a session's
// user is looked up by id alone, never by name, so a session ends with its
// user: a new user, whatever its name, is someone else.
type session struct {
	expiry time.Time
	user   string
}

func newSessions(cfg config) *sessions {
	return &sessions{user: cfg.user, password: cfg.password, lifetime: cfg.tokenLifetime, now: cfg.now,
		tokens: map[string]session{}, byUser: map[string][]string{}}
}

// login checks the configured user's credentials in constant time and
// issues a token.
func (s *sessions) login(user, password string) (string, bool, error) {
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(s.user)) == 1
	okPass := subtle.ConstantTimeCompare([]byte(password), []byte(s.password)) == 1
	if !okUser || !okPass {
		return "", false, nil
	}
	tok, err := s.issue("")
	return tok, true, err
}

// issue makes a token for a user (see session), within the bounds.
func (s *sessions) issue(user string) (string, error) {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	tok := tokenPrefix + hex.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byUser[user]) >= maxUserSessions {
		s.evictOldest(user)
	}
	if len(s.tokens) >= maxSessions {
		s.pruneExpired(now)
	}
	if len(s.tokens) >= maxSessions {
		if len(s.byUser[user]) == 0 {
			return "", newError(errTooManyRequests, "too many sessions: log in again once some have expired")
		}
		s.evictOldest(user)
	}
	s.tokens[tok] = session{expiry: now.Add(s.lifetime), user: user}
	s.byUser[user] = append(s.byUser[user], tok)
	return tok, nil
}

// evictOldest ends a user's oldest session. The caller holds the lock.
func (s *sessions) evictOldest(user string) {
	own := s.byUser[user]
	delete(s.tokens, own[0])
	s.byUser[user] = slices.Delete(own, 0, 1)
}

// pruneExpired drops expired tokens. The caller holds the lock.
func (s *sessions) pruneExpired(now time.Time) {
	for user, own := range s.byUser {
		own = slices.DeleteFunc(own, func(t string) bool {
			if now.Before(s.tokens[t].expiry) {
				return false
			}
			delete(s.tokens, t)
			return true
		})
		if len(own) == 0 {
			delete(s.byUser, user)
		} else {
			s.byUser[user] = own
		}
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
