package spec

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestZZTiming(t *testing.T) {
	root := os.Getenv("CORPUS")
	for _, rel := range []string{
		"real/digitalocean/specification/DigitalOcean-public.v2.yaml",
		"real/openziti/edge-api/client.yml",
		"real/openziti/edge-api/management.yml",
		"github-api.github.com.json",
		os.Getenv("STRIPE"),
	} {
		if rel == "" {
			continue
		}
		for _, skip := range []bool{true, false} {
			best := time.Duration(1 << 62)
			var d *Document
			var err error
			for range 5 {
				start := time.Now()
				d, err = LoadFile(context.Background(), filepath.Join(root, rel), Options{SkipValidation: skip})
				if el := time.Since(start); el < best {
					best = el
				}
			}
			if err != nil {
				t.Logf("%s skipval=%v: %v (%v)", rel, skip, err, best)
				continue
			}
			hollow := 0
			for _, o := range d.Ops {
				if o.Op.Responses == nil || o.Op.Responses.Len() == 0 {
					hollow++
				}
			}
			t.Logf("%s skipval=%v: %v, %d ops, %d without responses, %d warnings", rel, skip, best, len(d.Ops), hollow, len(d.Warnings))
		}
	}
}
