// Data-parallel training on this machine: training images per second of one process with T
// threads against N processes (ranks over Gloo on 127.0.0.1) with T / N threads each, and the
// share of a data-parallel step spent averaging gradients (on rank 0: flattening, the exchange
// including any wait for the slower rank, copying back). Each configuration trains two epochs of
// --steps steps; the second is measured (the first pays one-time set-up costs). The same global
// batch, sub-nets and steps in every configuration; each configuration runs in freshly forked
// processes (the parent does no torch work, so no OpenMP state crosses a fork), and the
// configurations alternate over the repeats so that a change of machine load hits them alike.
//
//   build/bench/distributed_bench [--space cifar] [--width 0.35] [--resolution 32] [--batch 64]
//                                 [--steps 20] [--subnets 1] [--nproc 2] [--threads 2]
//                                 [--repeats 3]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "data/synthetic.h"
#include "nas/search_space.h"
#include "supernet/trainer.h"
#include "supernet/worker_group.h"
#include "tests/support/free_port.h"

namespace {

using namespace tinynas;

struct Args {
  std::string space = "cifar";
  double width = 0.35;
  int resolution = 32, batch = 64, steps = 20, subnets = 1, nproc = 2, threads = 2, repeats = 3;
};

struct Measured {
  double images_per_s = 0;
  double all_reduce_share = 0;  // of the training time of the epoch (rank 0)
  double all_reduce_ms = 0;     // per step
  int64_t parameters = 0;       // of the supernet: the gradient floats averaged per step at most
};

using tinynas::testing::free_port;

// Two epochs of `steps` steps; rank 0 writes the second one's figures to `report`.
void train_rank(const Args& a, int world, int rank, int threads, int port, int report) {
  const std::string out =
      (std::filesystem::temp_directory_path() /
       ("tinynas_distributed_bench_" + std::to_string(::getpid()) + "_" + std::to_string(port)))
          .string();
  if (rank == 0) std::filesystem::create_directories(out);
  supernet::TrainJob job;
  job.space = nas::load_space(a.space, TINYNAS_BENCH_CONFIG_DIR);
  job.supernet.width_mult = a.width;
  job.train.batch_size = a.batch;
  job.train.resolutions = {a.resolution};
  job.train.phases = {{"bench",
                       a.subnets > 1 ? std::vector<std::string>{"kernel", "depth", "expand"}
                                     : std::vector<std::string>{},
                       2, 0.05, 0, a.subnets, "random", false}};
  job.train.eval_each_epoch = false;
  job.train.workers = 1;
  job.seed = 1;
  job.threads = threads;
  job.out_dir = out;
  job.distributed.world_size = world;
  job.distributed.rank = rank;
  job.distributed.master_port = port;
  const auto images = [&](int64_t n, uint64_t seed) {
    return data::synthetic_images(n, a.resolution, a.resolution, 3, 10, seed);
  };
  // Two epochs of `steps` steps; the second is measured.
  supernet::Trainer trainer(job, images(int64_t{a.steps} * a.batch, 1), images(16, 2), {});
  const supernet::TrainResult r = trainer.run();
  if (rank == 0) {
    int64_t parameters = 0;
    for (const auto& p : trainer.network()->parameters()) parameters += p.numel();
    const supernet::EpochInfo& warm = r.history.at(1);  // the first epoch warms up
    const Measured m{warm.images_per_s, warm.all_reduce_seconds / warm.seconds,
                     1000 * warm.all_reduce_seconds / static_cast<double>(a.steps), parameters};
    if (::write(report, &m, sizeof m) != static_cast<ssize_t>(sizeof m)) std::_Exit(3);
  }
  std::error_code ec;
  if (rank == 0) std::filesystem::remove_all(out, ec);
}

// The exchange alone: `floats` gradients summed over the ranks (the gradient averager's message),
// 5 warm-up rounds, then the mean of 20.
void exchange_rank(int world, int rank, int port, int64_t floats, int report) {
  torch::set_num_threads(1);
  supernet::DistributedOptions d;
  d.world_size = world;
  d.rank = rank;
  d.master_port = port;
  supernet::WorkerGroup group(d, {});
  std::vector<torch::Tensor> flat{torch::ones({floats})};
  for (int i = 0; i < 5; ++i) group.all_reduce_sum(flat, "bench");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) group.all_reduce_sum(flat, "bench");
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      20;
  if (rank == 0) {
    Measured m;
    m.all_reduce_ms = ms;
    if (::write(report, &m, sizeof m) != static_cast<ssize_t>(sizeof m)) std::_Exit(3);
  }
}

// Runs body(rank, port, report fd) in `world` forked processes; returns what rank 0 reported.
Measured in_ranks(int world, const std::function<void(int, int, int)>& body) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) std::exit(1);
  const int port = free_port();
  std::fflush(nullptr);  // or the children would print our buffered output again
  std::vector<pid_t> children;
  for (int rank = 0; rank < world; ++rank) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(pipe_fds[0]);
      int code = 0;
      try {
        body(rank, port, pipe_fds[1]);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
        code = 1;
      }
      std::fflush(nullptr);
      std::_Exit(code);
    }
    children.push_back(pid);
  }
  ::close(pipe_fds[1]);
  Measured m;
  const bool got = ::read(pipe_fds[0], &m, sizeof m) == static_cast<ssize_t>(sizeof m);
  ::close(pipe_fds[0]);
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) {
      std::fprintf(stderr, "distributed_bench: a rank failed\n");
      std::exit(1);
    }
  }
  return m;
}

Measured measure(const Args& a, int world, int threads_per_rank) {
  return in_ranks(world, [&](int rank, int port, int report) {
    train_rank(a, world, rank, threads_per_rank, port, report);
  });
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--space")
      a.space = v;
    else if (k == "--width")
      a.width = std::atof(v.c_str());
    else if (k == "--resolution")
      a.resolution = std::atoi(v.c_str());
    else if (k == "--batch")
      a.batch = std::atoi(v.c_str());
    else if (k == "--steps")
      a.steps = std::atoi(v.c_str());
    else if (k == "--subnets")
      a.subnets = std::atoi(v.c_str());
    else if (k == "--nproc")
      a.nproc = std::atoi(v.c_str());
    else if (k == "--threads")
      a.threads = std::atoi(v.c_str());
    else if (k == "--repeats")
      a.repeats = std::atoi(v.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const int per_rank = std::max(1, a.threads / a.nproc);
  std::printf("space %s width %.2f, %dx%d, batch %d, %d steps, %d sub-net(s) per step\n",
              a.space.c_str(), a.width, a.resolution, a.resolution, a.batch, a.steps, a.subnets);
  std::printf("%-8s %14s %18s %10s %16s %14s\n", "repeat", "1 proc img/s",
              (std::to_string(a.nproc) + " ranks img/s").c_str(), "ratio", "all-reduce share",
              "ms per step");
  double sum_ratio = 0, sum_share = 0;
  int64_t parameters = 0;
  for (int r = 0; r < a.repeats; ++r) {
    const Measured one = measure(a, 1, a.threads);
    const Measured dp = measure(a, a.nproc, per_rank);
    const double ratio = dp.images_per_s / one.images_per_s;
    sum_ratio += ratio;
    sum_share += dp.all_reduce_share;
    std::printf("%-8d %14.1f %18.1f %9.2fx %15.1f%% %14.2f\n", r + 1, one.images_per_s,
                dp.images_per_s, ratio, 100 * dp.all_reduce_share, dp.all_reduce_ms);
    parameters = dp.parameters;
    if (r == 0)
      std::printf("(supernet parameters: %lld, %.2f MB of float gradients at most per step)\n",
                  static_cast<long long>(dp.parameters), dp.parameters * 4 / 1e6);
    std::fflush(stdout);
  }
  std::printf(
      "mean: %d ranks x %d thread(s) run at %.2fx the img/s of 1 process x %d threads; "
      "gradient averaging %.1f%% of a data-parallel step\n",
      a.nproc, per_rank, sum_ratio / a.repeats, a.threads, 100 * sum_share / a.repeats);
  for (const int64_t floats : {int64_t{1}, parameters, 4 * parameters}) {
    const Measured x = in_ranks(a.nproc, [&](int rank, int port, int report) {
      exchange_rank(a.nproc, rank, port, floats, report);
    });
    std::printf("all-reduce alone, %d ranks on 127.0.0.1, %lld floats (%.2f MB): %.2f ms\n",
                a.nproc, static_cast<long long>(floats), floats * 4 / 1e6, x.all_reduce_ms);
  }
  return 0;
}
