package jsonptr_test

import (
	"encoding/json"
	"fmt"

	"github.com/mockserver/mockserver/mockserver/jsonptr"
)

func Example() {
	var body any
	_ = json.Unmarshal([]byte(`{"order": {"items": [{"sku": "a/1", "qty": 7}]}}`), &body)

	qty, _ := jsonptr.Parse("/order/items/0/qty")
	fmt.Println(qty.Equals(body, 7), qty.Equals(body, 7.0), qty.Equals(body, "7"))

	v, ok := qty.Get(body)
	fmt.Println(v, ok)

	missing, _ := jsonptr.Parse("/order/items/1/qty")
	fmt.Println(missing.Equals(body, nil))

	_, err := jsonptr.Parse("order/items")
	fmt.Println(err)
	// Output:
	// true true false
	// 7 true
	// false
	// JSON pointer "order/items" does not start with /
}
