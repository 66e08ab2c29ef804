// Wall time and peak RSS of a whole `tinynas search`, the way a user runs it. Targets (foundation
// issue): the default search (108 sub-spaces x 1000 samples + 500 generations) under 10 s wall on
// a 2-core machine with peak RSS under 200 MB.
//
//   build/bench/search_bench [--repeat N] -- build/cli/tinynas search --sram 320K --flash 1M
//   --quiet
//
// Each run is a child process; wait4() returns its own peak resident set (ru_maxrss), so the
// numbers are the search's, not this program's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  int repeat = 3;
  int first = 1;
  for (; first < argc; ++first) {
    if (std::strcmp(argv[first], "--repeat") == 0 && first + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++first]));
    } else if (std::strcmp(argv[first], "--") == 0) {
      ++first;
      break;
    } else {
      break;
    }
  }
  if (first >= argc) {
    std::fprintf(stderr, "usage: search_bench [--repeat N] -- PROGRAM ARGS...\n");
    return 2;
  }
  std::vector<double> walls, rss_mb;
  for (int run = 0; run < repeat; ++run) {
    std::fflush(stdout);  // or the child inherits and repeats our buffered lines
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid < 0) {
      std::perror("fork");
      return 1;
    }
    if (pid == 0) {
      std::freopen("/dev/null", "w", stdout);  // the search's own report is not the benchmark's
      execvp(argv[first], argv + first);
      std::perror("execvp");
      _exit(127);
    }
    int status = 0;
    rusage usage{};
    if (wait4(pid, &status, 0, &usage) < 0) {
      std::perror("wait4");
      return 1;
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "run %d failed (status %d)\n", run + 1, status);
      return 1;
    }
    walls.push_back(wall);
    rss_mb.push_back(static_cast<double>(usage.ru_maxrss) / 1024.0);  // ru_maxrss is in KiB
    std::printf("run %d: wall %.2f s, user %.2f s, sys %.2f s, peak RSS %.1f MiB\n", run + 1, wall,
                double(usage.ru_utime.tv_sec) + usage.ru_utime.tv_usec / 1e6,
                double(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6, rss_mb.back());
  }
  std::sort(walls.begin(), walls.end());
  std::printf("median wall %.2f s, max peak RSS %.1f MiB over %d runs\n", walls[walls.size() / 2],
              *std::max_element(rss_mb.begin(), rss_mb.end()), repeat);
  return 0;
}
