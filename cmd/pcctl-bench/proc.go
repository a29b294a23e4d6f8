package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// command is a process to time.
type command struct {
	path   string
	args   []string
	env    []string // nil: the harness's own environment
	stdout string   // file that receives standard output; "" for /dev/null
}

func (c command) String() string {
	return strings.Join(append([]string{c.path}, c.args...), " ")
}

// with returns c writing its standard output to file ("" for /dev/null).
func (c command) with(stdout string) command {
	c.stdout = stdout
	return c
}

// sample is one timed run of a process.
type sample struct {
	wall   time.Duration // from start to exit, as a user waits for it
	maxRSS int64         // peak resident set size, bytes
	cpu    time.Duration // user and system CPU time of the process (what a busy machine does not inflate)
}

// timeRun runs c once and measures it. Its output file is created (truncated) before the
// clock starts; standard error is kept for the error message when the process fails.
func timeRun(c command) (sample, error) {
	name := c.stdout
	if name == "" {
		name = os.DevNull
	}
	out, err := os.Create(name)
	if err != nil {
		return sample{}, err
	}
	defer out.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(c.path, c.args...)
	cmd.Env = c.env
	cmd.Stdout = out
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, fmt.Errorf("%s: %v", c, err)
	}
	// The child's own high-water mark, read while it runs: its ru_maxrss would be at
	// least this harness's peak (Linux carries the peak of the memory an exec replaces,
	// and os/exec starts children sharing the harness's memory until then).
	peak := watchPeak(cmd.Process.Pid)
	err = cmd.Wait()
	wall := time.Since(start)
	watched := peak()
	if err != nil {
		return sample{}, fmt.Errorf("%s: %v\n%s", c, err, lastLines(stderr.String(), 10))
	}
	rss := peakRSS(cmd.ProcessState)
	if watched > 0 {
		rss = watched
	}
	return sample{wall: wall, maxRSS: rss, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

// timeRuns runs c n times.
func timeRuns(c command, n int) ([]sample, error) {
	out := make([]sample, 0, n)
	for range n {
		s, err := timeRun(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// walls returns the wall times of samples.
func walls(samples []sample) []time.Duration {
	out := make([]time.Duration, len(samples))
	for i, s := range samples {
		out[i] = s.wall
	}
	return out
}

// peakOf returns the highest peak RSS of samples.
func peakOf(samples []sample) int64 {
	var m int64
	for _, s := range samples {
		m = max(m, s.maxRSS)
	}
	return m
}

// output runs a short helper command and returns its standard output, trimmed.
func output(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, lastLines(stderr.String(), 10))
	}
	return strings.TrimSpace(string(out)), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
