#include "cli/local_ranks.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "util/interrupt.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

std::string this_executable() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("--nproc: cannot find this executable: " + ec.message());
  return exe.string();
}

std::string tail(const std::string& text, size_t chars) {
  return text.size() <= chars ? text : "..." + text.substr(text.size() - chars);
}

}  // namespace

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) throw std::system_error(saved, std::generic_category(), "cannot find a free port");
  return ntohs(addr.sin_port);
}

int run_local_ranks(const std::vector<std::string>& rank_args, int nproc) {
  const std::string exe = this_executable();
  const std::string master = "127.0.0.1:" + std::to_string(free_local_port());
  struct Outcome {
    util::ProcessResult result;
    std::string error;  // the launcher could not run the rank at all
    int order = -1;     // 0: the first rank to fail
  };
  std::vector<Outcome> outcomes(static_cast<size_t>(nproc));
  std::atomic<bool> failed{false};
  std::atomic<int> failures{0};
  std::mutex output;
  // The ranks run in their own process groups, out of reach of the terminal's Ctrl-C: with the
  // handlers installed, SIGINT / SIGTERM end each rank's group and its run_process throws.
  util::install_interrupt_handlers();
  const auto fail = [&](Outcome& o) {
    o.order = failures++;
    failed = true;
  };

  std::vector<std::thread> threads;
  for (int rank = 0; rank < nproc; ++rank) {
    std::vector<std::string> argv{exe, "train"};
    argv.insert(argv.end(), rank_args.begin(), rank_args.end());
    argv.insert(argv.end(), {"--world-size", std::to_string(nproc), "--rank", std::to_string(rank),
                             "--master", master});
    if (rank > 0) argv.push_back("--quiet");
    threads.emplace_back([&, rank, argv] {
      Outcome& o = outcomes[static_cast<size_t>(rank)];
      util::ProcessOptions opts;
      opts.timeout_s = 0;  // training takes as long as it takes
      opts.stop_requested = [&] { return failed.load(); };
      if (rank == 0)
        opts.on_output = [&](const std::string& chunk, bool from_stderr) {
          // The launcher's own line says what happened; rank 0's would be a second one.
          if (util::interrupted()) return;
          std::lock_guard<std::mutex> lock(output);
          std::fwrite(chunk.data(), 1, chunk.size(), from_stderr ? stderr : stdout);
          std::fflush(from_stderr ? stderr : stdout);
        };
      try {
        o.result = util::run_process(argv, opts);
        if (o.result.exit_code != 0 && !o.result.stopped) fail(o);
      } catch (const util::Interrupted&) {
        // Reported once, after every rank is stopped.
      } catch (const std::exception& e) {
        o.error = e.what();
        fail(o);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  // A rank that failed because it was stopped is no failure of its own.
  util::throw_if_interrupted();
  for (int rank = 0; rank < nproc; ++rank) {
    const Outcome& o = outcomes[static_cast<size_t>(rank)];
    if (o.order != 0) continue;
    if (!o.error.empty())
      throw std::runtime_error("--nproc: cannot start rank " + std::to_string(rank) + ": " +
                               o.error);
    std::string message = "rank " + std::to_string(rank) + " of " + std::to_string(nproc) +
                          " exited with code " + std::to_string(o.result.exit_code) +
                          "; the other ranks were stopped";
    // Rank 0's output was shown as it came; another rank's is shown now.
    if (rank > 0 && !o.result.err.empty()) message += ". Its output:\n" + tail(o.result.err, 4000);
    if (o.result.exit_code == 2) throw std::invalid_argument(message);
    throw std::runtime_error(message);
  }
  return 0;
}

}  // namespace tinynas::cli
