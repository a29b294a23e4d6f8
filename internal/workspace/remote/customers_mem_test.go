package remote

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/pcctl/pcctl/internal/api"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/workspace"
)

// TestExportStreamsInConstantMemory guards the promise of `customers export` through a
// server: the client reads the export as it arrives and holds none of it. A server
// streams exportRows generated rows (about 24 MB of NDJSON) and, every exportCheckEvery
// rows, the test collects the garbage and reads the live heap. A client that kept every
// row, or every line, or the whole body, would grow the live heap by tens of MB; one that
// streams stays within a few hundred KB (its 64 KB read buffer and one customer). It
// also counts the allocations per row: one, the string that the fields of a line share
// (api.ParseArray).
//
// The live heap after runtime.GC is what the process holds, whatever GOGC and the timing
// of the collector: unlike the peak RSS of the process, it does not depend on the machine.
func TestExportStreamsInConstantMemory(t *testing.T) {
	const (
		exportRows       = 200_000
		exportCheckEvery = 10_000
		maxGrowth        = 4 << 20 // the rows held would be ~30 MB; streaming holds < 1 MB
		maxAllocsPerRow  = 1.5     // 1 per row, plus the few per request and per buffer
	)
	c, _ := testClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/base"+api.CustomerExportPath {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		// The lines are written by hand into one buffer, so that the server, which runs
		// in this process, allocates nothing per row: the allocations counted are the
		// client's.
		buf := make([]byte, 0, 64<<10)
		buf = append(buf, `["id","companyName","domain","country","resellerMpnId","relationship","createdAt","purchasesAllowed"]`+"\n"...)
		for i := range exportRows {
			buf = append(buf, `["00000000-0000-4000-8000-`...)
			buf = appendPadded(buf, i, 12)
			buf = append(buf, `","Contoso `...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, `","tenant`...)
			buf = strconv.AppendInt(buf, int64(i), 10)
			buf = append(buf, `.onmicrosoft.com","FR","4847383","","2025-03-14T09:26:53Z","false"]`+"\n"...)
			if len(buf) >= 32<<10 {
				if _, err := w.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
		}
		buf = append(buf, `{"end":true,"count":`...)
		buf = strconv.AppendInt(buf, exportRows, 10)
		buf = append(buf, "}\n"...)
		_, _ = w.Write(buf)
	}), Options{})

	live := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	mallocs := func() uint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.Mallocs
	}
	base := live()
	var peak uint64
	var checkMallocs uint64 // the allocations of the checks themselves, left out
	n := 0
	start := mallocs()
	err := c.ExportCustomers(context.Background(), workspace.ExportQuery{}, func(cust *domain.Customer) error {
		n++
		if n%exportCheckEvery == 0 {
			m := mallocs()
			peak = max(peak, live())
			checkMallocs += mallocs() - m
		}
		return nil
	})
	total := mallocs() - start - checkMallocs
	if err != nil || n != exportRows {
		t.Fatalf("ExportCustomers read %d rows, %v; want %d", n, err, exportRows)
	}
	if peak > base && peak-base > maxGrowth {
		t.Errorf("the live heap grew by %.1f MB while %d rows streamed (limit %.1f MB): the client holds the export in memory",
			float64(peak-base)/(1<<20), exportRows, float64(maxGrowth)/(1<<20))
	}
	if per := float64(total) / exportRows; per > maxAllocsPerRow {
		t.Errorf("%.2f allocations per row read (limit %.1f)", per, maxAllocsPerRow)
	}
	t.Logf("live heap growth %d KB at most; %.2f allocations per row", (int64(peak)-int64(base))/1024, float64(total)/exportRows)
}

// appendPadded appends i in decimal, padded with zeros to width digits, without allocating.
func appendPadded(b []byte, i, width int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(i), 10)
	for range width - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}
