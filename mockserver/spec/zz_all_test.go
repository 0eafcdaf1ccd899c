package spec

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestZZAll(t *testing.T) {
	root := os.Getenv("CORPUS")
	files, err := discover(root)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range files {
		start := time.Now()
		d, err := LoadFile(context.Background(), f, Options{})
		el := time.Since(start)
		rel := strings.TrimPrefix(f, root)
		if err != nil {
			msg := err.Error()
			if len(msg) > 150 {
				msg = msg[:150]
			}
			fmt.Fprintf(&out, "%s\tERR\t%s\t%d\n", rel, msg, el.Milliseconds())
			continue
		}
		hollow := 0
		for _, o := range d.Ops {
			if o.Op.Responses == nil || o.Op.Responses.Len() == 0 {
				hollow++
			}
		}
		fmt.Fprintf(&out, "%s\tOK\t%d ops %d hollow %d warnings\t%d\n", rel, len(d.Ops), hollow, len(d.Warnings), el.Milliseconds())
	}
	os.WriteFile(os.Getenv("OUT"), []byte(out.String()), 0o644)
}
