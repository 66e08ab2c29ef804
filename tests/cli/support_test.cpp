// Tests of the CLI's support pieces: the progress report and the gnuplot plots.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "cli/plots.h"
#include "cli/progress.h"
#include "tests/support/temp_dir.h"
#include "util/process.h"

namespace tinynas::cli {
namespace {

using tinynas::testing::TempDir;

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using util::find_program;
using util::ProcessResult;
using util::program_available;
using util::run_process;
// ----------------------------------------------------------------------------------------------
// Progress

// Collects what a Progress writes, with a clock the test moves by hand.
struct Recorder {
  std::vector<std::string> chunks;
  double now = 0;

  ProgressOutput output(bool terminal, int columns = 60) {
    ProgressOutput out;
    out.write = [this](std::string_view text) { chunks.emplace_back(text); };
    out.is_terminal = terminal;
    out.columns = [columns] { return columns; };
    out.now_s = [this] { return now; };
    return out;
  }
};

TEST(Progress, QuickLoopInALogWritesOnlyTheFinalLine) {
  Recorder rec;
  Progress progress("sampling", 1000, true, rec.output(false));
  for (int i = 1; i <= 1000; ++i) {
    rec.now = i / 1000.0;
    progress.update(i);
  }
  progress.finish();
  ASSERT_EQ(rec.chunks.size(), 1u);
  EXPECT_EQ(rec.chunks[0], "sampling: 1000/1000 (100%) 1000.0/s in 0:01\n");
}

TEST(Progress, LogLinesComeAtMostEveryTwoSecondsPlusAFinalOne) {
  Recorder rec;
  Progress progress("work", 80, true, rec.output(false));
  for (int i = 1; i <= 80; ++i) {
    rec.now = i * 0.125;  // Exact in binary: 10 s in all.
    progress.update(i);
  }
  progress.finish();
  ASSERT_EQ(rec.chunks.size(), 6u);  // At 2, 4, 6, 8, 10 s, then the final line.
  EXPECT_EQ(rec.chunks[0], "work: 16/80 (20%) 8.0/s ETA 0:08\n");
  EXPECT_EQ(rec.chunks[1], "work: 32/80 (40%) 8.0/s ETA 0:06\n");
  EXPECT_EQ(rec.chunks[5], "work: 80/80 (100%) 8.0/s in 0:10\n");
  for (const std::string& line : rec.chunks) {
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    EXPECT_TRUE(contains(line, "/80 (")) << line;
  }
}

TEST(Progress, DisabledWritesNothing) {
  Recorder rec;
  {
    Progress progress("quiet", 10, false, rec.output(false));
    for (int i = 1; i <= 10; ++i) {
      rec.now += 5;
      progress.update(i);
    }
    progress.finish();
  }
  {
    Progress progress("quiet", 10, false, rec.output(true));
    progress.advance(10);
  }  // The destructor must not write either.
  EXPECT_TRUE(rec.chunks.empty());
}

TEST(Progress, DestructorWritesTheFinalLineOnce) {
  Recorder rec;
  {
    Progress progress("epochs", 3, true, rec.output(false));
    rec.now = 30;
    progress.advance(2);  // Stopped early, e.g. by an exception.
  }
  ASSERT_EQ(rec.chunks.size(), 2u);
  EXPECT_EQ(rec.chunks[1], "epochs: 2/3 (66%) 15.0s/it in 0:30\n");
}

TEST(Progress, FinishTwiceAndUpdatesAfterFinishAreIgnored) {
  Recorder rec;
  Progress progress("x", 10, true, rec.output(false));
  progress.update(10);
  progress.finish();
  rec.now = 100;
  progress.update(11);
  progress.finish();
  EXPECT_EQ(rec.chunks.size(), 1u);
}

TEST(Progress, TerminalRedrawsOneLineThrottledToTenPerSecond) {
  Recorder rec;
  Progress progress("search", 100, true, rec.output(true, 60));
  for (int i = 1; i <= 100; ++i) {
    rec.now = i * 0.01;  // 1 s in all, 100 updates.
    progress.update(i);
  }
  progress.finish();
  // About 10 redraws + the final one; never one per update.
  EXPECT_GE(rec.chunks.size(), 9u);
  EXPECT_LE(rec.chunks.size(), 13u);
  for (size_t i = 0; i < rec.chunks.size(); ++i) {
    const std::string& chunk = rec.chunks[i];
    ASSERT_EQ(chunk.front(), '\r');
    const bool last = i + 1 == rec.chunks.size();
    EXPECT_EQ(chunk.size(), last ? 61u : 60u) << chunk;  // "\r" + 59 columns (+ "\n").
    EXPECT_EQ(chunk.back() == '\n', last) << chunk;
  }
  EXPECT_TRUE(contains(rec.chunks.back(), "100/100 100%")) << rec.chunks.back();
  EXPECT_TRUE(contains(rec.chunks.back(), "[####")) << rec.chunks.back();
}

TEST(Progress, LowerUpdatesDoNotMoveBackwards) {
  Recorder rec;
  Progress progress("x", 100, true, rec.output(false));
  progress.update(50);
  progress.update(30);
  EXPECT_EQ(progress.done(), 50);
  progress.advance(5);
  EXPECT_EQ(progress.done(), 55);
}

TEST(Progress, ManyThreadsCountEveryItem) {
  std::vector<std::string> chunks;
  ProgressOutput out;
  out.write = [&chunks](std::string_view text) { chunks.emplace_back(text); };
  out.is_terminal = true;
  Progress progress("threads", 80000, true, out);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&progress] {
      for (int i = 0; i < 10000; ++i) progress.advance();
    });
  }
  for (std::thread& thread : threads) thread.join();
  progress.finish();
  EXPECT_EQ(progress.done(), 80000);
  ASSERT_FALSE(chunks.empty());
  EXPECT_TRUE(contains(chunks.back(), "80000/80000")) << chunks.back();
}

TEST(ProgressFormat, EtaIsMinutesAndSeconds) {
  EXPECT_EQ(format_eta(125), "2:05");
  EXPECT_EQ(format_eta(0), "0:00");
  EXPECT_EQ(format_eta(59.6), "1:00");
  EXPECT_EQ(format_eta(600), "10:00");
  EXPECT_EQ(format_eta(3723), "1:02:03");
  EXPECT_EQ(format_eta(-1), "--:--");
  EXPECT_EQ(format_eta(std::nan("")), "--:--");
  EXPECT_EQ(format_eta(INFINITY), "--:--");
  EXPECT_EQ(format_eta(1e9), ">99h");
}

TEST(ProgressFormat, RateIsPerSecondOrSecondsPerItem) {
  EXPECT_EQ(format_rate(1234.5), "1234.5/s");
  EXPECT_EQ(format_rate(1.0), "1.0/s");
  EXPECT_EQ(format_rate(0.5), "2.0s/it");
  EXPECT_EQ(format_rate(0), "?/s");
  EXPECT_EQ(format_rate(std::nan("")), "?/s");
}

TEST(ProgressFormat, LogLine) {
  EXPECT_EQ(format_log_line("label", 540, 1000, 0.4374, false),
            "label: 540/1000 (54%) 1234.6/s ETA 0:00");
  EXPECT_EQ(format_log_line("label", 500, 1000, 250, false),
            "label: 500/1000 (50%) 2.0/s ETA 4:10");
  EXPECT_EQ(format_log_line("label", 0, 1000, 0, false), "label: 0/1000 (0%) ?/s ETA --:--");
  // Unknown total: a count and a rate only.
  EXPECT_EQ(format_log_line("x", 5, 0, 1.0, false), "x: 5 5.0/s");
  EXPECT_EQ(format_log_line("x", 5, 0, 1.0, true), "x: 5 5.0/s in 0:01");
}

TEST(ProgressFormat, BarLineFillsTheWidthAndTheBarFollowsTheFraction) {
  const std::string half = format_bar_line("work", 50, 100, 5.0, false, 60);
  ASSERT_EQ(half.size(), 59u);
  const size_t open = half.find('[');
  const size_t close = half.find(']');
  ASSERT_NE(open, std::string::npos);
  ASSERT_NE(close, std::string::npos);
  const std::string bar = half.substr(open + 1, close - open - 1);
  const auto hashes = std::count(bar.begin(), bar.end(), '#');
  EXPECT_EQ(hashes, static_cast<long>(bar.size() / 2)) << half;
  EXPECT_EQ(half.substr(close + 1), " 50/100  50% 10.0/s ETA 0:05");

  const std::string full = format_bar_line("work", 100, 100, 10.0, true, 60);
  EXPECT_TRUE(contains(full, "[" + std::string(full.find(']') - full.find('[') - 1, '#') + "]"))
      << full;
  EXPECT_TRUE(contains(full, "in 0:10")) << full;
}

TEST(ProgressFormat, NarrowTerminalDropsTheBarAndCuts) {
  const std::string line = format_bar_line("a-long-label", 5, 10, 1.0, false, 20);
  EXPECT_EQ(line.size(), 19u);
  EXPECT_EQ(line.find('['), std::string::npos);
  EXPECT_EQ(line.rfind("a-long-label:", 0), 0u) << line;
}

// ----------------------------------------------------------------------------------------------
// Plots

void expect_png(const PlotResult& r) {
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_TRUE(r.message.empty()) << r.message;
  std::ifstream file(r.png_path, std::ios::binary);
  ASSERT_TRUE(file) << r.png_path;
  unsigned char head[8] = {};
  file.read(reinterpret_cast<char*>(head), 8);
  const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_TRUE(std::equal(head, head + 8, signature)) << r.png_path;
  EXPECT_GT(fs::file_size(r.png_path), 5000u) << r.png_path;  // A drawn 900x600 plot, not a stub.
}

std::vector<CdfSeries> sample_series() {
  std::vector<CdfSeries> series(3);
  series[0].label = "R160 W0.5";
  series[1].label = "R176 W0.5 (it's \"quoted\")";  // Labels reach gnuplot safely.
  series[2].label = "R224_W0.75 {no} ^enhanced@";
  for (int i = 0; i < 200; ++i) {
    series[0].sorted_mmacs.push_back(20 + 0.3 * i);
    series[1].sorted_mmacs.push_back(25 + 0.4 * i);
    series[2].sorted_mmacs.push_back(30 + 0.2 * i);
  }
  return series;
}

class PlotsWithGnuplot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!program_available("gnuplot")) {
      GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox); plots untested";
    }
  }
  TempDir dir_;
};

TEST_F(PlotsWithGnuplot, FlopsCdfIsAPng) {
  const PlotResult r = plot_flops_cdf(dir_.str(), sample_series());
  expect_png(r);
  EXPECT_EQ(fs::path(r.png_path).filename(), "flops_cdf.png");
  EXPECT_TRUE(fs::exists(dir_.path() / "flops_cdf.dat"));
  EXPECT_TRUE(fs::exists(dir_.path() / "flops_cdf.gp"));
}

TEST_F(PlotsWithGnuplot, BlockMemoryIsAPng) {
  const std::vector<int64_t> winner = {150000, 210000, 180000, 90000, 60000, 40000, 30000};
  const std::vector<int64_t> mbv2 = {300000, 250000, 200000, 150000, 120000,
                                     100000, 80000,  60000,  50000,  40000};
  const PlotResult r = plot_block_memory(dir_.str(), "tinynas winner", winner, "MobileNetV2 w0.35",
                                         mbv2, 320 * 1024);
  expect_png(r);
  EXPECT_EQ(fs::path(r.png_path).filename(), "block_memory.png");
}

TEST_F(PlotsWithGnuplot, EvolutionIsAPng) {
  std::vector<EvolutionRow> rows;
  for (int g = 0; g < 20; ++g) rows.push_back({g, 0.5 + 0.01 * g, 0.4 + 0.012 * g});
  const PlotResult r = plot_evolution(dir_.str(), rows, "predicted top-1 accuracy");
  expect_png(r);
  EXPECT_EQ(fs::path(r.png_path).filename(), "evolution.png");
}

TEST_F(PlotsWithGnuplot, LayerProfileIsAPngWithEveryLayerNamed) {
  const std::vector<LayerBar> bars = {{"stem", 2.8e6}, {"b0.dw", 2.1e6}, {"odd name", 1e3}};
  const PlotResult r = plot_layer_profile(dir_.str(), bars, "model: instructions per layer");
  expect_png(r);
  EXPECT_EQ(fs::path(r.png_path).filename(), "profile.png");
  std::ifstream data(dir_.path() / "profile.dat");
  const std::string text((std::istreambuf_iterator<char>(data)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("1 b0.dw 2.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("2 odd_name 0.001\n"), std::string::npos) << text;  // one column per name
  EXPECT_FALSE(plot_layer_profile(dir_.str(), {}, "empty").ok);
}

TEST_F(PlotsWithGnuplot, CreatesTheOutputDirectory) {
  const std::string nested = (dir_.path() / "a" / "b").string();
  expect_png(plot_evolution(nested, {{0, 1, 0.5}, {1, 2, 1}}));
}

TEST(Plots, MissingGnuplotIsSkippedWithANoteNotAnError) {
  TempDir dir;
  PlotOptions options;
  options.gnuplot = "gnuplot-does-not-exist";
  const PlotResult r = plot_flops_cdf(dir.str(), sample_series(), options);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.skipped);
  EXPECT_TRUE(contains(r.message, "skipped: gnuplot not found")) << r.message;
  // The data and script stay, so the plot can be drawn later.
  EXPECT_TRUE(fs::exists(dir.path() / "flops_cdf.dat"));
  EXPECT_TRUE(fs::exists(dir.path() / "flops_cdf.gp"));
  EXPECT_FALSE(fs::exists(r.png_path));
}

TEST(Plots, GnuplotFailureReportsItsStderr) {
  TempDir dir;
  const fs::path fake = dir.path() / "fake-gnuplot";
  {
    std::ofstream script(fake);
    script << "#!/bin/sh\necho \"line 3: undefined variable: boom\" >&2\nexit 2\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  PlotOptions options;
  options.gnuplot = fake.string();
  const PlotResult r = plot_evolution((dir.path() / "out").string(), {{0, 1, 0.5}}, "f", options);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.skipped);
  EXPECT_TRUE(contains(r.message, "exit 2")) << r.message;
  EXPECT_TRUE(contains(r.message, "undefined variable: boom")) << r.message;
}

TEST(Plots, GnuplotThatWritesNoPngIsAFailure) {
  TempDir dir;
  PlotOptions options;
  options.gnuplot = "true";  // Exits 0 and draws nothing.
  const PlotResult r = plot_block_memory(dir.str(), "w", {1024, 2048}, "b", {4096}, 8192, options);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(contains(r.message, "no PNG")) << r.message;
}

TEST(Plots, NoDataIsReportedWithoutRunningGnuplot) {
  TempDir dir;
  std::vector<CdfSeries> empty_spaces(2);
  empty_spaces[0].label = "R96 W0.3";
  const PlotResult cdf = plot_flops_cdf(dir.str(), empty_spaces);
  EXPECT_FALSE(cdf.ok);
  EXPECT_FALSE(cdf.skipped);
  EXPECT_TRUE(contains(cdf.message, "nothing to plot")) << cdf.message;
  EXPECT_FALSE(plot_evolution(dir.str(), {}).ok);
  EXPECT_FALSE(plot_block_memory(dir.str(), "w", {}, "b", {}, 1024).ok);
}

}  // namespace
}  // namespace tinynas::cli
