// Command hello is the benchmark's ceiling: the smallest net/http server, answering every
// request with a fixed body. What it serves per second on this machine bounds any Go server.
// With -size it answers a JSON body of that many bytes: the ceiling for a mix whose answers are
// that large, since writing and reading a 23 kB body costs both sides more than an 18-byte one.
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
	"strings"
)

func main() {
	port := flag.Int("port", 4010, "port to listen on (127.0.0.1 only)")
	size := flag.Int("size", -1, "answer a body of exactly this many bytes, JSON from 12 on (default: {\"hello\":\"world\"})")
	flag.Parse()
	body := []byte("{\"hello\":\"world\"}\n")
	if *size >= 0 {
		body = sized(*size)
	}
	length := strconv.Itoa(len(body))
	log.Fatal(http.ListenAndServe("127.0.0.1:"+strconv.Itoa(*port), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", length)
		w.Write(body)
	})))
}

// sized is a JSON object of n bytes, or n bytes of padding when n is below the 12 of
// {"pad":""}\n (an empty body for 0, as a 201 without content).
func sized(n int) []byte {
	const frame = len(`{"pad":""}` + "\n")
	if n < frame {
		return []byte(strings.Repeat(" ", n))
	}
	return []byte(`{"pad":"` + strings.Repeat("x", n-frame) + `"}` + "\n")
}
