package app_test

// Script commands for pcctl deal publish (issue 18):
//
//	makepsc N FILE          a PSC export of N opportunities OPP-00000 … (every 5th won,
//	                        every 7th lost, the others open), prospects Prospect 0 … 16
//	partnercenter referrals print the stand-in's referrals: how many, how many distinct
//	                        externalReferenceIds, how many of those more than once

import (
	"bufio"
	"fmt"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

func cmdMakePSC(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: makepsc N FILE")
	}
	var n int
	_, err := fmt.Sscan(args[0], &n)
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[1]))
	ts.Check(err)
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Opportunity ID,Deal Name,Customer Name,Customer Country,Deal Value,Currency,Status,Products,Created Date,Deal Type")
	for i := range n {
		status := "Open"
		switch {
		case i%7 == 6:
			status = "Lost"
		case i%5 == 4:
			status = "Won"
		}
		fmt.Fprintf(w, "OPP-%05d,Deal %d,Prospect %d,US,%d.00,USD,%s,CFQ7TTC0LF8Q,03/14/2026,Private\n", i, i, i%17, 1000+i, status)
	}
	ts.Check(w.Flush())
	ts.Check(f.Close())
}

func referralsSummary(ts *testscript.TestScript, si *standIn) {
	byExt, total := si.pc.ReferralsWithExternalID()
	twice := 0
	for _, c := range byExt {
		if c > 1 {
			twice++
		}
	}
	fmt.Fprintf(ts.Stdout(), "%d referrals, %d deals, %d more than once\n", total, len(byExt), twice)
}
