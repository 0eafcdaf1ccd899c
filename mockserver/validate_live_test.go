package mockserver_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// TestValidateWhileServing: the binary checks a description (kin-openapi's Validate) while the
// first requests are answered. Under -race this shows the check and the pipeline share the
// description without a data race, and that the answers do not change meanwhile.
func TestValidateWhileServing(t *testing.T) {
	file := filepath.Join(corpusDir(t), "stripe-spec3.json")
	s, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{file}, SkipSpecValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	q := req{"GET", "/v1/customers/cus_123", map[string]string{"Authorization": "Bearer sk_test_x"}, ""}
	want := do(t, s, q)
	if want.status != 200 {
		t.Fatalf("GET customer: %d %s", want.status, want.body)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for _, d := range s.Documents() {
			d.Validate(context.Background())
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				got := do(t, s, req{"GET", fmt.Sprintf("/v1/customers/cus_%d_%d", g, i%50), q.header, ""})
				if got.status != 200 {
					t.Errorf("GET while validating: %d %s", got.status, got.body)
					return
				}
				if again := do(t, s, q); string(again.body) != string(want.body) {
					t.Errorf("the answer changed while the description was checked")
					return
				}
			}
		})
	}
	wg.Wait()
}
