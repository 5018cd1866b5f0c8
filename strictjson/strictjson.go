package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Options adjust the checks.
type Options struct {
	// AllowUnknown lets keys that name no field through, with their
	// values unchecked: they belong to someone else (a CNI network config
	// carries other plugins' keys). Known keys given twice or in another
	// case are refused all the same.
	AllowUnknown bool
}

// maxDepth bounds the nesting walked: far deeper than any netipam type.
const maxDepth = 64

// Decode reads one JSON value from data into v (a pointer), after Check.
func Decode(data []byte, v any, o Options) error {
	if err := Check(data, v, o); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if !o.AllowUnknown {
		dec.DisallowUnknownFields()
	}
	return dec.Decode(v)
}

// Check walks one JSON value in data as it would decode into v (a
// pointer, or any value of the type) and refuses duplicate keys, keys that differ from a field's JSON
// name only in case, unknown keys (unless o.AllowUnknown), nesting deeper
// than 64 and anything after the value. It does not check types:
// encoding/json does, when decoding.
func Check(data []byte, v any, o Options) error {
	w := walker{dec: json.NewDecoder(bytes.NewReader(data)), o: o}
	if err := w.value(reflect.TypeOf(v), "", 0); err != nil {
		return err
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return errors.New("more data after the JSON value: send one value")
	}
	return nil
}

type walker struct {
	dec *json.Decoder
	o   Options
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shape gives the type whose keys matter: pointers followed; nil for a
// type that decodes itself (its own rules apply) or for any value.
func shape(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
			t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
			return nil
		}
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Interface:
			return nil
		default:
			return t
		}
	}
	return nil
}

// where names a path in messages.
func where(path string) string {
	if path == "" {
		return "at the top level"
	}
	return "in " + path
}

func (w *walker) value(t reflect.Type, path string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%s: nested deeper than %d levels", path, maxDepth)
	}
	tok, err := w.dec.Token()
	if err != nil {
		if err == io.EOF {
			return errors.New("empty or truncated JSON")
		}
		return err
	}
	t = shape(t)
	switch tok {
	case json.Delim('{'):
		return w.object(t, path, depth)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, err := w.dec.Token() // ]
		return err
	}
	return nil
}

func (w *walker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct:
		fields = map[string]reflect.Type{}
		collect(t, fields)
	case t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		vt := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				if name := fold(fields, key); name != "" {
					return fmt.Errorf("key %q %s: write it %q (keys are case-sensitive)", key, where(path), name)
				}
				if !w.o.AllowUnknown {
					return fmt.Errorf("unknown key %q %s: the keys are %s", key, where(path), names(fields))
				}
				if err := w.skip(); err != nil {
					return err
				}
				continue
			}
			vt = ft
		}
		if seen[key] {
			return fmt.Errorf("key %q is given twice %s: give each key once", key, where(path))
		}
		seen[key] = true
		child := path + "." + key
		if path == "" {
			child = key
		}
		if err := w.value(vt, child, depth+1); err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // }
	return err
}

// skip reads one value without looking at it.
func (w *walker) skip() error {
	for depth := 0; ; {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// collect gives a struct's fields by JSON name, as encoding/json sees
// them: embedded structs' fields promoted unless a shallower field has
// the name.
func collect(t reflect.Type, out map[string]reflect.Type) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, e := range embedded {
		inner := map[string]reflect.Type{}
		collect(e, inner)
		for k, v := range inner {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
}

// fold gives the field name key matches only case-insensitively, or "".
func fold(fields map[string]reflect.Type, key string) string {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

func names(fields map[string]reflect.Type) string {
	ns := make([]string, 0, len(fields))
	for n := range fields {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return strings.Join(ns, ", ")
}
