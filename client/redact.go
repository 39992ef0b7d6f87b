package client

import (
	"fmt"
	"log/slog"

	"github.com/qapitools/qapi/redact"
)

// redacted replaces every secret in log lines and error messages.
const redacted = redact.Marker

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
