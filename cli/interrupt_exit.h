// How tinynas ends on SIGINT (Ctrl-C) or SIGTERM: within 2 s, with its child processes ended,
// exit code 128 + N (130, 143) and one line on stderr saying what was saved:
//
//   tinynas: interrupted (SIGINT): samples so far are in runs/p/predictor_samples.jsonl; ...
//
// main() installs the handlers (util/interrupt.h) and start_interrupt_deadline(); commands that
// keep resumable state describe it with set_saved_state() as soon as they know where it goes
// (the default is "nothing needed saving"). The orderly way out is util::Interrupted thrown from
// a polled loop or from util::run_process, caught in main(), which calls report_interrupt(). Code
// that polls nothing for a while (a LibTorch epoch) is covered by the deadline: 1.5 s after the
// signal, a watchdog thread kills the child groups, prints the same line and _exits, which is no
// worse than kill -9 for files written atomically and resumable from the last checkpoint.
#pragma once

#include <string>

namespace tinynas::cli {

// What a SIGINT / SIGTERM now would leave behind for the next run, as the end of a sentence:
// "checkpoints are in DIR; add --resume to continue". Thread-safe; the last call wins.
void set_saved_state(const std::string& description);

// For a command that runs others in the same process (tinynas run): sets the description for
// good; the inner commands' set_saved_state calls no longer change it.
void hold_saved_state(const std::string& description);

// "tinynas: interrupted (SIGINT): " + the saved state + "\n".
std::string interrupt_line(int signal);

// Prints interrupt_line(signal) to stderr unless it was printed already; returns 128 + signal.
int report_interrupt(int signal);

// Starts the watchdog (once): deadline_s after the first SIGINT / SIGTERM, if the process still
// runs, it sends SIGKILL to the registered child groups, reports and _exits with 128 + N.
// Needs util::install_interrupt_handlers() first.
void start_interrupt_deadline(double deadline_s);

}  // namespace tinynas::cli
