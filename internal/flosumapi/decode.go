package flosumapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

// DecodeError is a 200 answer whose body does not match the API's schema.
type DecodeError struct {
	Path string
	// Field names the offending field, such as "items[3].userName".
	Field  string
	Reason string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("GET %s: the answer is not valid JSON for this endpoint: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("GET %s: field %s in the answer %s", e.Path, e.Field, e.Reason)
}

// Wire types mirror an answer field by field, in the order and with the Go
// names of the client's type they decode into. Every field is a pointer, so
// that a missing or null field is told apart from a zero value. A field is
// required unless the client's field is a pointer too: then a missing or
// null field leaves it nil. A number is kept as raw JSON (json.RawMessage),
// so that it is read exactly and a number sent as a string is refused; a
// nested object is a wire struct, an array a slice of wire values. A `check`
// tag adds a rule: "nonnegative" for counts, "orgid" for Salesforce org ids,
// "datetime" for RFC 3339 dates.

// decode reads body, the answer to GET path, into a T through its wire type
// W (a wire struct, or a slice of them for an answer that is an array): the
// JSON first (syntax and types), then every field of W, in order, the first
// problem found being the error.
func decode[T, W any](path string, body []byte) (*T, error) {
	var wire W
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&wire); err != nil {
		return nil, &DecodeError{Path: path, Reason: err.Error()}
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return nil, &DecodeError{Path: path, Reason: "unexpected data after the JSON value"}
	}
	out := new(T)
	if field, reason := convert(reflect.ValueOf(out).Elem(), reflect.ValueOf(wire)); reason != "" {
		return nil, &DecodeError{Path: path, Field: field, Reason: reason}
	}
	return out, nil
}

var rawNumberType = reflect.TypeFor[json.RawMessage]()

// wireField is what convert needs of a wire struct's field, worked out once
// per type (wireFields) rather than once per item of a page.
type wireField struct {
	name, check string
	// optional is true when the client's field is a pointer.
	optional bool
}

var wireFieldsCache sync.Map // reflect.Type of a wire struct -> []wireField

// wireFields describes the wire struct type src, which must mirror dst.
func wireFields(src, dst reflect.Type) []wireField {
	if cached, ok := wireFieldsCache.Load(src); ok {
		fields, _ := cached.([]wireField)
		return fields
	}
	if src.NumField() != dst.NumField() {
		panic(fmt.Sprintf("wire type %s does not mirror %s: %d fields, not %d", src, dst, src.NumField(), dst.NumField()))
	}
	fields := make([]wireField, src.NumField())
	for i := range fields {
		spec := src.Field(i)
		if dst.Field(i).Name != spec.Name || spec.Type.Kind() != reflect.Pointer {
			panic(fmt.Sprintf("wire type %s does not mirror %s at field %s", src, dst, spec.Name))
		}
		name, _, _ := strings.Cut(spec.Tag.Get("json"), ",")
		fields[i] = wireField{name: name, check: spec.Tag.Get("check"), optional: dst.Field(i).Type.Kind() == reflect.Pointer}
	}
	wireFieldsCache.Store(src, fields)
	return fields
}

// convert fills dst from the wire value src, which it checks; it returns
// the first failing field's name and why. Names are only built on failure:
// a page has thousands of fields.
func convert(dst, src reflect.Value) (field, reason string) {
	switch {
	case src.Type() == rawNumberType:
		n, reason := wholeNumber(src.Bytes())
		if reason != "" {
			return "", reason
		}
		dst.SetInt(n)
	case src.Kind() == reflect.String:
		dst.SetString(src.String())
	case src.Kind() == reflect.Bool:
		dst.SetBool(src.Bool())
	case src.Kind() == reflect.Struct:
		return convertStruct(dst, src)
	case src.Kind() == reflect.Slice:
		if src.IsNil() {
			return "", "is null, not an array"
		}
		dst.Set(reflect.MakeSlice(dst.Type(), src.Len(), src.Len()))
		for j := range src.Len() {
			if field, reason := convert(dst.Index(j), src.Index(j)); reason != "" {
				return joinField(fmt.Sprintf("[%d]", j), field), reason
			}
		}
	default:
		panic(fmt.Sprintf("wire type %s is not supported", src.Type()))
	}
	return "", ""
}

// convertStruct fills the struct dst from the wire struct src.
func convertStruct(dst, src reflect.Value) (field, reason string) {
	for i, spec := range wireFields(src.Type(), dst.Type()) {
		target, value := dst.Field(i), src.Field(i)
		if value.IsNil() {
			if spec.optional {
				continue
			}
			return spec.name, "is missing (required)"
		}
		if spec.optional {
			target.Set(reflect.New(target.Type().Elem()))
			target = target.Elem()
		}
		if field, reason := convert(target, value.Elem()); reason != "" {
			return joinField(spec.name, field), reason
		}
		if reason := checkRule(spec.check, target); reason != "" {
			return spec.name, reason
		}
	}
	return "", ""
}

// joinField names a field within another: "items" and "[3].userName" make
// "items[3].userName".
func joinField(outer, inner string) string {
	switch {
	case inner == "":
		return outer
	case strings.HasPrefix(inner, "["):
		return outer + inner
	default:
		return outer + "." + inner
	}
}

func checkRule(rule string, v reflect.Value) string {
	switch rule {
	case "":
	case "nonnegative":
		if v.Int() < 0 {
			return fmt.Sprintf("is %d, less than zero", v.Int())
		}
	case "orgid":
		if sfid.CheckFormat(v.String()) != nil {
			return fmt.Sprintf("is %q, not a Salesforce org id (15 or 18 letters and digits)", v.String())
		}
	case "datetime":
		if _, err := time.Parse(time.RFC3339, v.String()); err != nil {
			return fmt.Sprintf("is %q, not an RFC 3339 date and time", v.String())
		}
	default:
		panic("unknown check " + rule)
	}
	return ""
}

// maxExponent bounds the exponents that big.Rat is asked to expand; beyond
// it a non-zero number is out of range or not whole anyway.
const maxExponent = 400

// wholeNumber reads raw JSON that must be a number holding a whole value
// within int64, such as 42 or 42.0 or 4.2e1, decided exactly.
func wholeNumber(raw json.RawMessage) (int64, string) {
	text := string(raw)
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, ""
	}
	if text == "" || (text[0] != '-' && (text[0] < '0' || text[0] > '9')) {
		return 0, fmt.Sprintf("is %s, not a number", text)
	}
	mantissa, exponent, hasExponent := strings.Cut(strings.ToLower(text), "e")
	if e, err := strconv.Atoi(exponent); hasExponent && (err != nil || e > maxExponent || e < -maxExponent) {
		switch {
		case strings.Trim(mantissa, "-0.") == "":
			return 0, "" // zero, however written
		case strings.HasPrefix(exponent, "-"):
			return 0, fmt.Sprintf("is %s, not a whole number", text)
		default:
			return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
		}
	}
	r, ok := new(big.Rat).SetString(text)
	switch {
	case !ok:
		return 0, fmt.Sprintf("is %s, not a number", text)
	case !r.IsInt():
		return 0, fmt.Sprintf("is %s, not a whole number", text)
	case !r.Num().IsInt64():
		return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
	}
	return r.Num().Int64(), ""
}
