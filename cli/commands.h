// The tinynas subcommands. Each takes the arguments after the subcommand name (argv[0] is the
// subcommand) and returns the process exit code; errors are thrown as exceptions that main()
// maps to exit codes (std::invalid_argument: 2, anything else: 1).
#pragma once

namespace tinynas::cli {

enum class SearchMode {
  kSearch,  // space optimiser, then evolution in the chosen (R, W)
  kSpace,   // space optimiser only
  kEvolve,  // evolution in a given (R, W)
};

int search_command(int argc, char** argv, SearchMode mode);
int cost_command(int argc, char** argv);
#ifdef TINYNAS_WITH_TORCH
int train_command(int argc, char** argv);
int eval_command(int argc, char** argv);
int extract_command(int argc, char** argv);
int finetune_command(int argc, char** argv);   // one sub-net trained further on its own
int predictor_command(int argc, char** argv);  // tinynas predictor build
int run_command(int argc, char** argv);        // data + limits + budget -> verified int8 model
#endif
int export_command(int argc, char** argv);    // int8 C project of an arch (engine/)
int verify_command(int argc, char** argv);    // bit-exact check of an exported model
int accuracy_command(int argc, char** argv);  // int8 vs float top-1 on a data set
int config_command(int argc, char** argv);    // the experiment settings: defaults, keys, show
int bench_command(int argc, char** argv);     // a model measured on a board (or QEMU)
int latency_command(int argc, char** argv);   // tinynas latency build|eval

}  // namespace tinynas::cli
