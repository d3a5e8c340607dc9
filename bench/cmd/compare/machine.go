package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// machine describes the machine: cores, CPU model, memory, Go version,
// OS and architecture.
func machine() string {
	s := fmt.Sprintf("%d cores", runtime.NumCPU())
	if m := procField("/proc/cpuinfo", "model name"); m != "" {
		s += fmt.Sprintf(" (%s)", m)
	}
	if m := procField("/proc/meminfo", "MemTotal"); m != "" {
		if kb, err := strconv.ParseFloat(strings.TrimSuffix(m, " kB"), 64); err == nil {
			s += fmt.Sprintf(", %.0f GB of memory", kb*1024/1e9)
		}
	}
	return s + fmt.Sprintf(", %s, %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// procField returns the value of the first line of a /proc file that
// starts with key, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
