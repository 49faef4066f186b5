package flosumapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
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

// The wire types use pointers so that a missing or null field is told apart
// from a zero value, and json.Number so that ids are checked exactly.
type (
	wireConnection struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserFullName      *string      `json:"userFullName"`
		UserName          *string      `json:"userName"`
		SalesforceOrgID   *string      `json:"salesforceOrgId"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	wireListItem struct {
		ID                *json.Number `json:"id"`
		ExternalID        *json.Number `json:"externalId"`
		Name              *string      `json:"name"`
		UserName          *string      `json:"userName"`
		SalesforceOrgType *string      `json:"salesforceOrgType"`
	}
	wirePage struct {
		Total *json.Number    `json:"total"`
		Items *[]wireListItem `json:"items"`
	}
	wireConnectionID struct {
		ConnectionID *json.Number `json:"connectionId"`
	}
)

// fields checks required fields in order and converts them; the first
// problem found is kept.
type fields struct {
	path   string
	prefix string
	err    *DecodeError
}

func (f *fields) fail(name, reason string) {
	if f.err == nil {
		f.err = &DecodeError{Path: f.path, Field: f.prefix + name, Reason: reason}
	}
}

func (f *fields) str(name string, v *string) string {
	if v == nil {
		f.fail(name, "is missing (required)")
		return ""
	}
	return *v
}

func (f *fields) integer(name string, v *json.Number) int64 {
	if v == nil {
		f.fail(name, "is missing (required)")
		return 0
	}
	n, reason := parseInteger(string(*v))
	if reason != "" {
		f.fail(name, reason)
	}
	return n
}

// parseInteger accepts a JSON number that is a whole number within int64,
// such as 42 or 42.0 or 4.2e1. It works on the decimal digits exactly, so no
// rounding can turn 1e-999 or 1.000…01 into a whole number.
func parseInteger(text string) (int64, string) {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		return i, ""
	}
	negative, digits, exponent, ok := splitNumber(text)
	switch {
	case !ok:
		return 0, fmt.Sprintf("is %q, not a number", text)
	case digits == "":
		return 0, "" // zero, however written
	case exponent < 0:
		return 0, fmt.Sprintf("is %s, not a whole number", text)
	case len(digits)+exponent > 19:
		return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
	}
	whole := digits + strings.Repeat("0", exponent)
	if negative {
		whole = "-" + whole
	}
	i, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("is %s, beyond the range of a 64-bit integer", text)
	}
	return i, ""
}

// maxExponent bounds the exponents splitNumber works with; beyond it every
// non-zero value is out of range or not whole anyway.
const maxExponent = 1 << 20

// splitNumber reads a JSON number as sign, significant digits (no leading or
// trailing zeros; "" for zero) and the power of ten they are multiplied by.
func splitNumber(text string) (negative bool, digits string, exponent int, ok bool) {
	rest := text
	if strings.HasPrefix(rest, "-") {
		negative, rest = true, rest[1:]
	}
	mantissa, exp, hasExp := strings.Cut(strings.ToLower(rest), "e")
	intPart, fracPart, hasFrac := strings.Cut(mantissa, ".")
	if intPart == "" || (hasFrac && fracPart == "") || !allDigits(intPart) || !allDigits(fracPart) ||
		(len(intPart) > 1 && intPart[0] == '0') {
		return false, "", 0, false
	}
	if hasExp {
		sign := 1
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			if exp[0] == '-' {
				sign = -1
			}
			exp = exp[1:]
		}
		if exp == "" || !allDigits(exp) {
			return false, "", 0, false
		}
		exp = strings.TrimLeft(exp, "0")
		if len(exp) > 7 {
			exponent = sign * maxExponent
		} else {
			n, _ := strconv.Atoi("0" + exp)
			exponent = sign * min(n, maxExponent)
		}
	}
	digits = strings.TrimLeft(intPart+fracPart, "0")
	exponent -= len(fracPart)
	trimmed := strings.TrimRight(digits, "0")
	exponent += len(digits) - len(trimmed)
	return negative, trimmed, exponent, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func unmarshal(path string, body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return &DecodeError{Path: path, Reason: err.Error()}
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return &DecodeError{Path: path, Reason: "unexpected data after the JSON value"}
	}
	return nil
}

func decodeConnection(path string, body []byte) (*Connection, error) {
	var w wireConnection
	if err := unmarshal(path, body, &w); err != nil {
		return nil, err
	}
	f := fields{path: path}
	c := &Connection{
		ID:                f.integer("id", w.ID),
		ExternalID:        f.integer("externalId", w.ExternalID),
		Name:              f.str("name", w.Name),
		UserFullName:      f.str("userFullName", w.UserFullName),
		UserName:          f.str("userName", w.UserName),
		SalesforceOrgID:   f.str("salesforceOrgId", w.SalesforceOrgID),
		SalesforceOrgType: f.str("salesforceOrgType", w.SalesforceOrgType),
	}
	if f.err != nil {
		return nil, f.err
	}
	return c, nil
}

// decodePage decodes a list page. The usual page is decoded by fastPage;
// anything it does not handle is decoded by the general decoder below, which
// alone reports errors, so both give the same result for every body.
func decodePage(body []byte) (*Page, error) {
	const path = connectionsPath
	if page, ok := fastPage(body); ok {
		return page, nil
	}
	var w wirePage
	if err := unmarshal(path, body, &w); err != nil {
		return nil, err
	}
	f := fields{path: path}
	total := f.integer("total", w.Total)
	if w.Items == nil {
		f.fail("items", "is missing (required)")
	}
	if f.err != nil {
		return nil, f.err
	}
	if total < 0 {
		return nil, &DecodeError{Path: path, Field: "total", Reason: fmt.Sprintf("is %d, less than zero", total)}
	}
	page := &Page{Total: total, Items: make([]ConnectionSummary, len(*w.Items))}
	for i, item := range *w.Items {
		f.prefix = fmt.Sprintf("items[%d].", i)
		page.Items[i] = ConnectionSummary{
			ID:                f.integer("id", item.ID),
			ExternalID:        f.integer("externalId", item.ExternalID),
			Name:              f.str("name", item.Name),
			UserName:          f.str("userName", item.UserName),
			SalesforceOrgType: f.str("salesforceOrgType", item.SalesforceOrgType),
		}
		if f.err != nil {
			return nil, f.err
		}
	}
	return page, nil
}

func decodeConnectionID(path string, body []byte) (int64, error) {
	var w wireConnectionID
	if err := unmarshal(path, body, &w); err != nil {
		return 0, err
	}
	f := fields{path: path}
	id := f.integer("connectionId", w.ConnectionID)
	if f.err != nil {
		return 0, f.err
	}
	return id, nil
}

// fastPage decodes a list page in one pass without reflection, allocating
// little more than the strings it returns: encoding/json's decoding of the
// pointer wire types was a large part of the cost of listing many
// connections. It handles the page the API sends, and returns false for
// anything else, leaving it to the general decoder: a missing, null or
// repeated field, a field name differing from the schema's only in case, a
// string holding an escape or invalid UTF-8, a number that is not a plain
// integer within int64, a negative total, or JSON it does not find valid.
// Unknown fields are skipped, as encoding/json skips them.
func fastPage(body []byte) (*Page, bool) {
	s := scanner{b: body}
	if !s.consume('{') {
		return nil, false
	}
	var (
		page                 Page
		haveTotal, haveItems bool
	)
	if !s.consume('}') {
		for {
			key, ok := s.plainString()
			if !ok || !s.consume(':') {
				return nil, false
			}
			switch string(key) {
			case "total":
				if haveTotal {
					return nil, false
				}
				if page.Total, ok = s.integer(); !ok || page.Total < 0 {
					return nil, false
				}
				haveTotal = true
			case "items":
				if haveItems {
					return nil, false
				}
				if page.Items, ok = s.items(); !ok {
					return nil, false
				}
				haveItems = true
			default:
				if foldsTo(key, "total", "items") || !s.skipValue(0) {
					return nil, false
				}
			}
			if s.consume(',') {
				continue
			}
			if !s.consume('}') {
				return nil, false
			}
			break
		}
	}
	s.space()
	if s.i != len(s.b) || !haveTotal || !haveItems {
		return nil, false
	}
	return &page, true
}

// The fields of a list item, as bits for fastPage's bookkeeping.
const (
	itemID = 1 << iota
	itemExternalID
	itemName
	itemUserName
	itemOrgType
	itemAll = itemID | itemExternalID | itemName | itemUserName | itemOrgType
)

// items reads the items array; it never returns a nil slice.
func (s *scanner) items() ([]ConnectionSummary, bool) {
	if !s.consume('[') {
		return nil, false
	}
	items := make([]ConnectionSummary, 0, min(PageLimit, len(s.b)/64))
	if s.consume(']') {
		return items, true
	}
	for {
		item, ok := s.item()
		if !ok {
			return nil, false
		}
		items = append(items, item)
		if s.consume(',') {
			continue
		}
		return items, s.consume(']')
	}
}

func (s *scanner) item() (ConnectionSummary, bool) {
	var (
		item ConnectionSummary
		have int
	)
	if !s.consume('{') || s.consume('}') {
		return item, false // an empty item lacks every field
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.consume(':') {
			return item, false
		}
		var bit int
		switch string(key) {
		case "id":
			bit = itemID
			item.ID, ok = s.integer()
		case "externalId":
			bit = itemExternalID
			item.ExternalID, ok = s.integer()
		case "name":
			bit = itemName
			item.Name, ok = s.stringValue()
		case "userName":
			bit = itemUserName
			item.UserName, ok = s.stringValue()
		case "salesforceOrgType":
			bit = itemOrgType
			item.SalesforceOrgType, ok = s.orgType()
		default:
			if foldsTo(key, "id", "externalId", "name", "userName", "salesforceOrgType") {
				return item, false
			}
			ok = s.skipValue(0)
		}
		if !ok || have&bit != 0 {
			return item, false
		}
		have |= bit
		if s.consume(',') {
			continue
		}
		return item, s.consume('}') && have == itemAll
	}
}

// scanner reads JSON from b, starting at i.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips space, then c if it comes next.
func (s *scanner) consume(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// plainString reads a string that holds no escape and is valid UTF-8, and
// returns its bytes (which alias the body).
func (s *scanner) plainString() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	for j := s.i; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			raw := s.b[s.i:j]
			s.i = j + 1
			return raw, utf8.Valid(raw)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (s *scanner) stringValue() (string, bool) {
	raw, ok := s.plainString()
	return string(raw), ok
}

// orgType reads a string, sharing one copy of the usual org types.
func (s *scanner) orgType() (string, bool) {
	raw, ok := s.plainString()
	switch string(raw) {
	case "SANDBOX":
		return "SANDBOX", ok
	case "PRODUCTION":
		return "PRODUCTION", ok
	}
	return string(raw), ok
}

// integer reads a number written as a plain integer that fits in an int64.
func (s *scanner) integer() (int64, bool) {
	s.space()
	j := s.i
	negative := j < len(s.b) && s.b[j] == '-'
	if negative {
		j++
	}
	start := j
	var magnitude uint64
	for ; j < len(s.b) && isDigit(s.b[j]); j++ {
		if magnitude > (1<<63)/10 {
			return 0, false
		}
		magnitude = magnitude*10 + uint64(s.b[j]-'0')
	}
	digits := j - start
	switch {
	case digits == 0, digits > 1 && s.b[start] == '0':
		return 0, false
	case j < len(s.b) && (s.b[j] == '.' || s.b[j] == 'e' || s.b[j] == 'E'):
		return 0, false // a fraction or an exponent: for the general decoder
	case negative && magnitude > 1<<63, !negative && magnitude > 1<<63-1:
		return 0, false
	}
	s.i = j
	if negative {
		return -int64(magnitude-1) - 1, true // -(1<<63) included
	}
	return int64(magnitude), true
}

// maxSkipDepth bounds the nesting of the unknown values skipValue skips.
const maxSkipDepth = 64

// skipValue skips one valid JSON value.
func (s *scanner) skipValue(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	s.space()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{':
		s.i++
		if s.consume('}') {
			return true
		}
		for {
			s.space()
			if !s.skipString() || !s.consume(':') || !s.skipValue(depth+1) {
				return false
			}
			if s.consume(',') {
				continue
			}
			return s.consume('}')
		}
	case c == '[':
		s.i++
		if s.consume(']') {
			return true
		}
		for {
			if !s.skipValue(depth + 1) {
				return false
			}
			if s.consume(',') {
				continue
			}
			return s.consume(']')
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || isDigit(c):
		return s.skipNumber()
	}
	return false
}

func (s *scanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// skipString skips a valid JSON string, escapes included.
func (s *scanner) skipString() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			j++
			if j >= len(s.b) {
				return false
			}
			switch s.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s.b) {
					return false
				}
				for _, h := range s.b[j+1 : j+5] {
					if !isHex(h) {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

// skipNumber skips a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) skipNumber() bool {
	j := s.i
	if j < len(s.b) && s.b[j] == '-' {
		j++
	}
	switch {
	case j < len(s.b) && s.b[j] == '0':
		j++
	case j < len(s.b) && isDigit(s.b[j]):
		for j < len(s.b) && isDigit(s.b[j]) {
			j++
		}
	default:
		return false
	}
	digits := func() bool {
		start := j
		for j < len(s.b) && isDigit(s.b[j]) {
			j++
		}
		return j > start
	}
	if j < len(s.b) && s.b[j] == '.' {
		j++
		if !digits() {
			return false
		}
	}
	if j < len(s.b) && (s.b[j] == 'e' || s.b[j] == 'E') {
		j++
		if j < len(s.b) && (s.b[j] == '+' || s.b[j] == '-') {
			j++
		}
		if !digits() {
			return false
		}
	}
	s.i = j
	return true
}

// foldsTo reports whether key could name one of names for encoding/json,
// which matches field names without regard to case (Unicode folding
// included, hence any non-ASCII key counts).
func foldsTo(key []byte, names ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, name := range names {
		if bytes.EqualFold(key, []byte(name)) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
