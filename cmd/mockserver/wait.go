package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// waitReady is `mockserver wait`: it asks a mock's GET /__mock/health until it answers 200,
// for a script that started the mock in the background. o holds the defaults and the
// MOCKSERVER_* variables already; args are the arguments after "wait".
//
// Exit codes: 0 once the mock answers, 1 when it has not within --timeout (or ctx ends
// first), 2 on a bad command line.
func waitReady(ctx context.Context, o options, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	base := getenv("MOCKSERVER_URL")
	if base == "" {
		host := o.host
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		base = "http://" + net.JoinHostPort(host, strconv.Itoa(o.port))
	}
	fs := flag.NewFlagSet("mockserver wait", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&base, "url", base, "the mock's base `URL` (env MOCKSERVER_URL; default from MOCKSERVER_HOST and MOCKSERVER_PORT)")
	fs.StringVar(&o.controlToken, "control-token", o.controlToken, "the mock's control `TOKEN`, if it has one (env MOCKSERVER_CONTROL_TOKEN)")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: mockserver wait [--url URL] [--control-token T] [--timeout D]\n\n"+
			"Waits until the mock at URL answers GET /__mock/health with 200. Exit status: 0 ready,\n1 not ready in time, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mockserver wait: unexpected argument %q (the mock's address is given with --url)\n", fs.Arg(0))
		return exitUsage
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "mockserver wait: --url: want a base URL such as http://127.0.0.1:4010, got %q\n", base)
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "mockserver wait: --timeout: want a positive duration, got %s\n", *timeout)
		return exitUsage
	}
	health := strings.TrimSuffix(u.String(), "/") + "/__mock/health"

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	var last string
	for {
		last = probe(ctx, health, o.controlToken)
		if last == "" {
			fmt.Fprintf(stdout, "mockserver wait: %s is ready (after %s)\n", base, time.Since(start).Round(time.Millisecond))
			return exitOK
		}
		select {
		case <-ctx.Done():
			why := fmt.Sprintf("not ready after %s", *timeout)
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				why = "interrupted" // by a signal
			}
			fmt.Fprintf(stderr, "mockserver wait: %s %s: %s\n", base, why, last)
			return exitSpecs
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// probe asks health once, and says why the mock is not ready ("" when it is).
func probe(ctx context.Context, health, token string) string {
	// One attempt may not outlast a second: a mock still loading its descriptions has
	// accepted the connection but does not answer yet.
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, health, nil)
	if err != nil {
		return err.Error()
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is said once, by the caller
		}
		return err.Error()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch {
	case res.StatusCode == http.StatusOK:
		return ""
	case res.StatusCode == http.StatusUnauthorized:
		return "401: the control API needs its token (--control-token or MOCKSERVER_CONTROL_TOKEN)"
	default:
		return fmt.Sprintf("GET %s answered %s", health, res.Status)
	}
}
