package testserver

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour the server shows for matching requests instead of
// (or before) its normal answer.
type Fault struct {
	// PathPrefix limits the fault to requests whose path starts with it;
	// empty matches every request.
	PathPrefix string
	// Query, when set, must be a substring of the raw query (e.g. "page=2&").
	Query string
	// Times is how many matching requests the fault applies to; 0 is forever.
	Times int

	// Status, with Body and ContentType, is the answer sent. Zero means the
	// normal answer (useful with Delay alone).
	Status      int
	Body        string
	ContentType string
	// RetryAfter is sent as the Retry-After header when set.
	RetryAfter string
	// Delay holds the answer back, e.g. beyond the client's timeout.
	Delay time.Duration
	// CutBody sends a Content-Length for Body but only half of it, then
	// closes the connection: a connection reset mid-body.
	CutBody bool

	next http.Handler
	used int
}

// AddFault queues a fault. Faults are matched in the order they were added.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.next = http.HandlerFunc(s.serveAPI)
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first queued fault matching r and uses it up, or a
// random fault. s.mu is held.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if !strings.HasPrefix(r.URL.EscapedPath(), f.PathPrefix) || !strings.Contains(r.URL.RawQuery+"&", f.Query) {
			continue
		}
		f.used++
		if f.Times > 0 && f.used >= f.Times {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return f
	}
	return s.randomFault()
}

func (f *Fault) serve(w http.ResponseWriter, r *http.Request) {
	if f.Delay > 0 && !sleep(r, f.Delay) {
		return
	}
	if f.Status == 0 {
		f.next.ServeHTTP(w, r)
		return
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	contentType := f.ContentType
	if contentType == "" {
		contentType = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	if !f.CutBody {
		_, _ = w.Write([]byte(f.Body))
		return
	}
	_, _ = w.Write([]byte(f.Body[:len(f.Body)/2]))
	if flusher, ok := w.(http.Flusher); ok {
		flusher.Flush()
	}
	// Abort the handler so the server closes the connection mid-body.
	panic(http.ErrAbortHandler)
}

// SetRandomFaults makes a fraction rate (0 to 1) of requests, chosen by a
// generator seeded with seed, fail with one of statuses and "Retry-After: 0".
// A rate of 0 turns this off.
func (s *Server) SetRandomFaults(rate float64, seed uint64, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.randomRate = rate
	s.randomStatuses = statuses
	s.random = rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15)) //nolint:gosec // test faults need no cryptographic randomness
}

// randomFault returns a fault for this request when the dice say so. s.mu is
// held.
func (s *Server) randomFault() *Fault {
	if s.randomRate <= 0 || len(s.randomStatuses) == 0 || s.random.Float64() >= s.randomRate {
		return nil
	}
	status := s.randomStatuses[s.random.IntN(len(s.randomStatuses))]
	s.randomFaultsServed++
	return &Fault{Status: status, RetryAfter: "0", Body: fmt.Sprintf(`{"message":"injected %d","statusCode":%d}`, status, status)}
}

// RandomFaultsServed returns how many random faults were served.
func (s *Server) RandomFaultsServed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.randomFaultsServed
}
