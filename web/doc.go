// Package web is the lab in the browser: "ludus lab --serve". The guide
// ends with "Learn concurrency on LabLudus", and people learn a race by
// watching two timelines cross and a speedup by looking at a bar chart, so
// every experiment, every checker trace and every history becomes a
// picture, and a learner can drive the scheduler by hand.
//
// A Server serves three pages and the JSON they are built from:
//
//   - the index (/): the guide's outline, each item with the experiments
//     that measure it, their claims and last verdicts. A run (POST
//     /api/run) uses the same lab.Run and the same outcomes as the
//     terminal lab and streams its progress back as server-sent events;
//     one run at a time, and a second request is told which run is in
//     progress (409). The run belongs to the request that started it:
//     closing the tab cancels it. GET /api/run/events lets other tabs
//     watch.
//   - an experiment (/experiments/{id}): its pictures, drawn on the server
//     as SVG: bar charts of timings and speedups with the ideal marked,
//     histograms of trial outcomes, and for every checker failure the
//     interleaving as swimlanes (a lane per goroutine, time downward,
//     values and locks passing between lanes, the lost write marked), the
//     deadlock's wait-for cycle as a graph, and package linear's history
//     view of a stress test's failing run.
//   - the playground (/playground): a program of the guide (the bank race,
//     the mutex fix, the opposite-order deadlock, the lock-ordering fix, a
//     channel hand-off) under the checker, where the learner chooses at
//     each step which goroutine runs next; the checker counts every
//     schedule and the failing ones, and jumps to one.
//
// The pages are built from the JSON API, which serves programs as well:
//
//	GET  /api/experiments                  the outline, every experiment with its claims and last outcome
//	GET  /api/experiments/{id}             one experiment with its pictures (SVG in JSON)
//	GET  /api/experiments/{id}/pictures/{n}               picture n as an SVG file
//	GET  /api/experiments/{id}/claims/{n}/history         linear's history view of claim n's failing run
//	GET  /api/report                       the last outcomes as "ludus lab --json" prints them
//	POST /api/run                          {"only": [ids], "quick": bool}: run, streamed as server-sent events
//	GET  /api/run, /api/run/events         the run in progress, and its events for another tab
//	GET  /api/playground/scenarios         the playground's programs with their source
//	POST /api/playground/sessions          {"scenario": id}: a new session at the start
//	GET  /api/playground/sessions/{id}     where the session is: trace, choices, objects, lanes (SVG)
//	POST /api/playground/sessions/{id}/{step,undo,reset,explore,jump,close}
//
// A run's events are "run", "start" and "step" (an experiment begins and
// what it does), "outcome" (its claims and verdicts, as in the report) and
// "end" (the report, and the error that stopped the run, if any).
//
// The server keeps nothing outside memory. It listens on loopback unless
// told otherwise (Listen), answers only loopback Host names unless
// Options.AnyHost (DNS rebinding), accepts work-starting requests only as
// POST from the same origin (http.CrossOriginProtection), bounds request
// bodies, and needs no network: the pages, their script and style are
// embedded, and nothing is fetched from elsewhere. A playground session is
// data only (the path of choices so far): each step replays it on the
// engine, so no goroutine outlives a request, and a session expires after
// Options.SessionTTL.
package web
