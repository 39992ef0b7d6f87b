package client

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// redacted replaces every secret in log lines and error messages.
const redacted = "[REDACTED]"

// Secrets have recognisable shapes, so these patterns catch them even when
// the client never saw them (a token echoed in a proxy's error page, a key
// pasted into a request built by hand).
var (
	// A PEM private key block; a block cut short by truncation still matches up to the end.
	pemKeyRe = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	// Qumulo session and access tokens: session-v1:…, access-v1:….
	tokenRe = regexp.MustCompile(`\b(session|access)-v(\d+):[^\s"',;}\]]+`)
	// An Authorization header value in any dump.
	bearerRe = regexp.MustCompile(`(?i)\b(bearer)\s+[^\s"',;]+`)
	// JSON members that hold secrets, whatever their value.
	jsonSecretRe = regexp.MustCompile(`(?i)"(password|client_private_key|private_key|bearer_token|token|secret)"\s*:\s*"(?:[^"\\]|\\.)*"`)
)

// redactor formats values for log lines and error messages. It is the one
// place where secrets are removed: the patterns above catch anything shaped
// like a secret, and the literal set catches the exact secrets this client
// holds (the password, the bearer tokens it was given, a private key while it
// is being sent).
type redactor struct {
	mu       sync.RWMutex
	literals map[string]int // secret → reference count
}

func newRedactor() *redactor {
	return &redactor{literals: make(map[string]int)}
}

// add makes r redact s until the returned function is called. Adding the same
// secret twice needs two calls to the returned functions to forget it.
func (r *redactor) add(s string) (forget func()) {
	if s == "" {
		return func() {}
	}
	r.mu.Lock()
	r.literals[s]++
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			if r.literals[s]--; r.literals[s] <= 0 {
				delete(r.literals, s)
			}
			r.mu.Unlock()
		})
	}
}

// addKey is add for a PEM private key: besides the whole key, each line of
// key material is redacted on its own, so a key echoed in pieces (one line
// per stack frame, say) does not leak either.
func (r *redactor) addKey(pem string) (forget func()) {
	forgets := []func(){r.add(pem)}
	for _, line := range strings.Split(pem, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			forgets = append(forgets, r.add(line))
		}
	}
	return func() {
		for _, f := range forgets {
			f()
		}
	}
}

// keep makes r redact s for the life of the client (passwords, tokens).
func (r *redactor) keep(s string) { _ = r.add(s) }

// redact returns s with every secret replaced by [REDACTED].
func (r *redactor) redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		lits := make([]string, 0, len(r.literals))
		for l := range r.literals {
			lits = append(lits, l)
		}
		r.mu.RUnlock()
		// Longest first, so a secret that contains another is removed whole.
		sort.Slice(lits, func(i, j int) bool { return len(lits[i]) > len(lits[j]) })
		for _, l := range lits {
			s = strings.ReplaceAll(s, l, redacted)
			// A secret inside JSON or a quoted string appears escaped.
			if q := jsonEscaped(l); q != l {
				s = strings.ReplaceAll(s, q, redacted)
			}
		}
	}
	s = pemKeyRe.ReplaceAllString(s, redacted)
	s = jsonSecretRe.ReplaceAllString(s, `"$1":"`+redacted+`"`)
	s = tokenRe.ReplaceAllString(s, `$1-v$2:`+redacted)
	s = bearerRe.ReplaceAllString(s, `$1 `+redacted)
	return s
}

// jsonEscaped returns s as it appears inside a JSON string (without quotes).
func jsonEscaped(s string) string {
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}

// value formats v for a log line: strings, errors and anything printed with
// fmt pass through redact; numbers, durations, times and booleans are kept.
func (r *redactor) value(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(r.redact(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			out[i] = r.attr(a)
		}
		return slog.GroupValue(out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.StringValue(r.redact(err.Error()))
		}
		return slog.StringValue(r.redact(fmt.Sprintf("%+v", v.Any())))
	default:
		return v
	}
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	return slog.Attr{Key: a.Key, Value: r.value(a.Value)}
}

// redactHandler passes every record through a redactor before the user's
// handler sees it, so no log line from this package can carry a secret, at
// any level, whatever attributes a future change adds.
type redactHandler struct {
	h slog.Handler
	r *redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.r.attr(a)
	}
	return &redactHandler{h: h.h.WithAttrs(out), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{h: h.h.WithGroup(name), r: h.r}
}

// secret holds a password or token. However it is printed, logged or
// marshalled, it shows [REDACTED]; only reveal returns the value.
type secret string

func (s secret) reveal() string { return string(s) }

// String returns [REDACTED].
func (s secret) String() string { return redacted }

// GoString returns [REDACTED].
func (s secret) GoString() string { return redacted }

// Format prints [REDACTED] for every verb, so %x or %d cannot leak the value.
func (s secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns [REDACTED].
func (s secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns "[REDACTED]".
func (s secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
