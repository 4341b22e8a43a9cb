package point

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kiosk/hub/api"
	"kiosk/internal/termtext"
)

// maxAnswerBytes bounds what is read of a hub's answer.
const maxAnswerBytes = 1 << 20

// HubError is an answer of the hub other than 200.
type HubError struct {
	Status int
	// Message is the hub's Error text made safe for a terminal and cut
	// to 300 characters: the hub's words are untrusted bytes.
	Message string
	// RetryAfter is the wait a 429 or 503 asked for (0: none given).
	RetryAfter time.Duration
}

func (e *HubError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	s := fmt.Sprintf("中心服务器回答 %d (the hub answered %d): %s", e.Status, e.Status, msg)
	if e.Status == http.StatusUnauthorized {
		s = ErrCredential.Error() + ": " + s
	}
	return s
}

// Is makes a 401 match ErrCredential.
func (e *HubError) Is(target error) bool {
	return target == ErrCredential && e.Status == http.StatusUnauthorized
}

// UnreachableError is a request that got no answer from the hub (no
// network, hub down, TLS refused, timeout).
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("无法连接中心服务器 %s (cannot reach the hub): %v", e.URL, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// post sends in as JSON to base+path and decodes a 200 answer into out.
// token "" sends no Authorization (enrolment).
func post(ctx context.Context, client *http.Client, base, path, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return &UnreachableError{URL: base, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return &UnreachableError{URL: base, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return hubError(resp, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("中心服务器的回答无法解析 (cannot decode the hub's answer to %s): %w", path, err)
	}
	return nil
}

func hubError(resp *http.Response, data []byte) *HubError {
	e := &HubError{Status: resp.StatusCode}
	var body api.Error
	if json.Unmarshal(data, &body) == nil {
		e.Message = body.Error
	} else if !strings.Contains(resp.Header.Get("Content-Type"), "html") {
		e.Message = string(data)
	}
	e.Message = Safe(e.Message, 300)
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		} else if t, err := http.ParseTime(s); err == nil {
			e.RetryAfter = max(0, time.Until(t))
		}
	}
	return e
}

// Safe makes text from the hub safe for a terminal, on one line, cut to
// at most n characters.
func Safe(s string, n int) string {
	s = termtext.Line(s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// hubBusy reports a hub's answer that asks the point to wait (429, 503).
func hubBusy(err error) bool {
	var he *HubError
	return errors.As(err, &he) && (he.Status == http.StatusTooManyRequests || he.Status == http.StatusServiceUnavailable)
}

// retryAfter is the wait a hub answer asked for, 0 when none.
func retryAfter(err error) time.Duration {
	var he *HubError
	if hubBusy(err) && errors.As(err, &he) {
		return he.RetryAfter
	}
	return 0
}
