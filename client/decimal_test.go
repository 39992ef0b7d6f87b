package client_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/mocktest"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	for _, n := range []int64{0, 1, 1 << 40, 1<<53 + 1, math.MaxInt64, -5} {
		got, err := client.ParseDecimal(*client.Decimal(n))
		if err != nil || got != n {
			t.Errorf("ParseDecimal(Decimal(%d)) = %d, %v", n, got, err)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"", "empty string"},
		{"12a", `parse decimal "12a": invalid syntax`},
		{"1.5", `parse decimal "1.5": invalid syntax`},
		{"9223372036854775808", `parse decimal "9223372036854775808": value out of range`},
	} {
		if _, err := client.ParseDecimal(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseDecimal(%q) error %v, want %q", tt.in, err, tt.want)
		}
	}
}

// A limit past what a float64 holds exactly goes to the twin and back.
func TestDecimalQuotaLimitAgainstTheTwin(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	ctx := t.Context()
	id := tw.MkdirAll("/big")
	const limit = 1<<53 + 1
	if _, err := tw.Client.Files.CreateQuota(ctx, gen.FilesQuota{ID: &id, Limit: client.Decimal(limit)}); err != nil {
		t.Fatal(err)
	}
	q, err := tw.Client.Files.GetQuota(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.ParseDecimal(q.GetLimit())
	if err != nil || got != limit {
		t.Errorf("limit %d, %v; want %s", got, err, strconv.FormatInt(limit, 10))
	}
}
