package store

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rqlite/gorqlite"
)

// rqliteRows iterates over one /db/query result, already read whole.
//
// rqlite sends values as JSON and gorqlite decodes every number to
// float64, so an integer is exact only up to 2^53: netipam stores no such
// integer (addresses and their keys are text).
type rqliteRows struct {
	qr    gorqlite.QueryResult
	cols  []string
	types []string
	err   error
}

func newRqliteRows(qr gorqlite.QueryResult) *rqliteRows {
	return &rqliteRows{qr: qr, cols: qr.Columns(), types: qr.Types()}
}

func (r *rqliteRows) Columns() ([]string, error) { return r.cols, nil }
func (r *rqliteRows) Next() bool                 { return r.err == nil && r.qr.Next() }
func (r *rqliteRows) Err() error                 { return r.err }
func (r *rqliteRows) Close() error               { return nil }

// Scan converts the current row into dest: *string, *int64, *float64,
// *[]byte or *any. NULL gives the zero value (nil for *any).
func (r *rqliteRows) Scan(dest ...any) error {
	row, err := r.qr.Slice()
	if err != nil {
		return err
	}
	if len(dest) != len(row) {
		return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(row))
	}
	for i, v := range row {
		if err := r.assign(i, dest[i], v); err != nil {
			return fmt.Errorf("scan column %d (%s): %w", i, r.col(i), err)
		}
	}
	return nil
}

func (r *rqliteRows) col(i int) string {
	if i < len(r.cols) {
		return r.cols[i]
	}
	return "?"
}

func (r *rqliteRows) colType(i int) string {
	if i < len(r.types) {
		return strings.ToLower(r.types[i])
	}
	return ""
}

// maxExactFloat is the largest integer every float64 below it represents
// exactly.
const maxExactFloat = 1 << 53

func (r *rqliteRows) assign(i int, dest, v any) error {
	switch d := dest.(type) {
	case *any:
		*d = r.natural(i, v)
	case *string:
		switch x := v.(type) {
		case nil:
			*d = ""
		case string:
			*d = x
		case float64:
			*d = formatNumber(x)
		default:
			*d = fmt.Sprint(x)
		}
	case *int64:
		switch x := v.(type) {
		case nil:
			*d = 0
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > maxExactFloat {
				return fmt.Errorf("%v is not an exact integer", x)
			}
			*d = int64(x)
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not an integer", x)
			}
			*d = n
		default:
			return fmt.Errorf("cannot scan %T into *int64", v)
		}
	case *float64:
		switch x := v.(type) {
		case nil:
			*d = 0
		case float64:
			*d = x
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", x)
			}
			*d = f
		default:
			return fmt.Errorf("cannot scan %T into *float64", v)
		}
	case *[]byte:
		switch x := v.(type) {
		case nil:
			*d = nil
		case string:
			*d = []byte(x)
		default:
			return fmt.Errorf("cannot scan %T into *[]byte", v)
		}
	default:
		return fmt.Errorf("unsupported destination %T: use *string, *int64, *float64 or *any", dest)
	}
	return nil
}

// natural gives a value as the SQLite backend would for *any: int64 for
// integers (JSON numbers in a column that is not REAL), float64, string or
// nil.
func (r *rqliteRows) natural(i int, v any) any {
	f, ok := v.(float64)
	if !ok {
		return v
	}
	switch t := r.colType(i); {
	case strings.Contains(t, "real"), strings.Contains(t, "floa"), strings.Contains(t, "doub"):
		return f
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExactFloat {
		return int64(f)
	}
	return f
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) <= maxExactFloat {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
