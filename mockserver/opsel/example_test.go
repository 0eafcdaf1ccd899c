package opsel_test

import (
	"fmt"

	"github.com/mockserver/mockserver/mockserver/opsel"
)

func Example() {
	for _, text := range []string{"createThing", "post /things", "GET /things", "*"} {
		sel, _ := opsel.Parse(text)
		fmt.Printf("%-14s %-14s %v\n", text, sel, sel.Matches("createThing", "POST", "/things"))
	}
	_, err := opsel.Parse(" ")
	fmt.Println(err)
	// Output:
	// createThing    createThing    true
	// post /things   POST /things   true
	// GET /things    GET /things    false
	// *              *              true
	// empty operation selector: want an operationId or "METHOD /template" (such as "GET /things/{id}") or "*"
}
