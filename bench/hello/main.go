// Command hello is the benchmark's ceiling: the smallest net/http server, answering every
// request with a fixed body. What it serves per second on this machine bounds any Go server.
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
)

func main() {
	port := flag.Int("port", 4010, "port to listen on (127.0.0.1 only)")
	flag.Parse()
	hello := []byte("{\"hello\":\"world\"}\n")
	log.Fatal(http.ListenAndServe("127.0.0.1:"+strconv.Itoa(*port), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(hello)
	})))
}
