// report.md of a `tinynas run`: what was chosen and why, how training went, what the search found
// against random sampling, what fine-tuning added over the supernet's weights and over training
// from scratch, int8 against float, and the instructions on the emulated board. Read from the
// files the stages wrote in the run folder; a stage that has not run is reported as such.
#pragma once

#include <string>

#include "cli/run_record.h"

namespace tinynas::cli {

// Writes path (atomically) and the PNG plots beside it (training.png; gnuplot permitting).
void write_run_report(const RunRecord& record, const std::string& run_dir, const std::string& path);

}  // namespace tinynas::cli
