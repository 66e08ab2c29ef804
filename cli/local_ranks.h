// tinynas train --nproc N: the N ranks of a data-parallel run as child processes of this
// executable on this machine (argv only, through util::run_process). Rank 0's output passes
// through live; the others run --quiet and are shown only when they fail. When any rank exits
// non-zero the others are stopped, and the first failure is reported with its rank, exit code and
// output. On SIGINT / SIGTERM every rank's process group is ended (util/interrupt.h) and
// util::Interrupted is thrown.
#pragma once

#include <string>
#include <vector>

namespace tinynas::cli {

// rank_args: the arguments of `tinynas train` for every rank (the launcher adds --world-size,
// --rank, --master and, to ranks > 0, --quiet). Returns 0 when every rank succeeded; throws
// std::invalid_argument when the first rank to fail exited with 2 (bad input), util::Interrupted
// after SIGINT / SIGTERM, std::runtime_error otherwise.
int run_local_ranks(const std::vector<std::string>& rank_args, int nproc);

// A TCP port on 127.0.0.1 that nothing listens on right now (the system picks it).
int free_local_port();

}  // namespace tinynas::cli
