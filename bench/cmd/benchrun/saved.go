package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// A run's raw output is kept in results/NAME.txt and what else its text
// needs in results/NAME.json, so that a section can be written again from
// a run already made (-rerender), after a change of its units or goals,
// without measuring again.

// savedRun is the JSON form of a run.
type savedRun struct {
	Date     time.Time `json:"date"`
	CPUModel string    `json:"cpu_model"`
	CPUs     int       `json:"cpus"`
	Memory   string    `json:"memory"`
	Kernel   string    `json:"kernel"`
	Go       string    `json:"go"`
	Commit   string    `json:"commit"`
	// LoadBefore, LoadDuring and LoadAfter are the 1-minute load averages.
	LoadBefore float64   `json:"load_before"`
	LoadDuring []float64 `json:"load_during"`
	LoadAfter  float64   `json:"load_after"`
	Commands   []string  `json:"commands"`
	// Rounds locate each benchmark process's output in the raw file.
	Rounds []savedRound `json:"rounds"`
}

type savedRound struct {
	Round, CPU int
	// Start and End are byte offsets in the raw output.
	Start, End int
}

func saveRun(path string, date time.Time, mach machine, m *measurement) error {
	s := savedRun{
		Date: date, CPUModel: mach.cpuModel, CPUs: mach.cpus, Memory: mach.memory, Kernel: mach.kernel,
		Go: mach.goVer, Commit: mach.commit, LoadBefore: m.load.before, LoadDuring: m.load.during,
		LoadAfter: m.load.after, Commands: m.commands,
	}
	off := 0
	for _, r := range m.rounds {
		s.Rounds = append(s.Rounds, savedRound{Round: r.round, CPU: r.cpu, Start: off, End: off + len(r.out)})
		off += len(r.out)
	}
	b, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// loadRun reads a saved run back: its raw output and metadata.
func loadRun(rawPath, metaPath string) (time.Time, machine, *measurement, error) {
	raw, err := os.ReadFile(rawPath)
	if err != nil {
		return time.Time{}, machine{}, nil, err
	}
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return time.Time{}, machine{}, nil, fmt.Errorf("%w (a run made before runs were saved must be measured again)", err)
	}
	var s savedRun
	if err := json.Unmarshal(b, &s); err != nil {
		return time.Time{}, machine{}, nil, fmt.Errorf("%s: %w", metaPath, err)
	}
	mach := machine{cpuModel: s.CPUModel, cpus: s.CPUs, memory: s.Memory, kernel: s.Kernel, goVer: s.Go, commit: s.Commit}
	m := &measurement{raw: raw, commands: s.Commands,
		load: loads{before: s.LoadBefore, during: s.LoadDuring, after: s.LoadAfter}}
	for _, r := range s.Rounds {
		if r.Start < 0 || r.End > len(raw) || r.Start > r.End {
			return time.Time{}, machine{}, nil, fmt.Errorf("%s: round %d at bytes %d-%d is outside %s", metaPath, r.Round, r.Start, r.End, rawPath)
		}
		m.rounds = append(m.rounds, roundOutput{round: r.Round, cpu: r.CPU, out: raw[r.Start:r.End]})
	}
	return s.Date, mach, m, nil
}
