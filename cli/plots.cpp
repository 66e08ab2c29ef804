#include "cli/plots.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <locale>
#include <sstream>

#include "util/interrupt.h"
#include "util/process.h"

namespace tinynas::cli {

using util::ProcessOptions;
using util::ProcessResult;
using util::ProgramNotFound;
using util::run_process;

namespace {

namespace fs = std::filesystem;

// Numbers for gnuplot: always '.' as the decimal sign, whatever locale the program runs in.
class NumberWriter {
 public:
  NumberWriter() {
    out_.imbue(std::locale::classic());
    out_.precision(10);
  }
  template <typename T>
  NumberWriter& operator<<(const T& value) {
    out_ << value;
    return *this;
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// A gnuplot single-quoted string: no escapes are processed, '' stands for one quote.
std::string quoted(const std::string& text) {
  std::string q = "'";
  for (char c : text) {
    if (c == '\'') q += '\'';
    if (c == '\n') c = ' ';
    q += c;
  }
  return q + "'";
}

std::string trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

bool write_file(const fs::path& path, const std::string& text, std::string& error) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) error = "cannot write " + path.string();
  return static_cast<bool>(file);
}

bool has_png_signature(const fs::path& path) {
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::ifstream file(path, std::ios::binary);
  unsigned char head[8] = {};
  file.read(reinterpret_cast<char*>(head), sizeof head);
  return file.gcount() == 8 && std::equal(head, head + 8, kSignature);
}

PlotResult nothing_to_plot(const std::string& dir, const std::string& name,
                           const std::string& why) {
  PlotResult result;
  result.png_path = (fs::path(dir) / (name + ".png")).string();
  result.message = "nothing to plot for " + name + ".png: " + why;
  return result;
}

// Writes NAME.dat and NAME.gp into dir and runs gnuplot there. `body` is the script after the
// terminal and output lines; it reads its data from NAME.dat (relative: gnuplot runs in dir, so
// no path ever needs quoting in the script).
PlotResult render(const std::string& dir, const std::string& name, const std::string& data,
                  const std::string& body, const PlotOptions& options, int width_px = 900) {
  PlotResult result;
  const fs::path folder(dir);
  const fs::path png = folder / (name + ".png");
  const std::string script_name = name + ".gp";
  result.png_path = png.string();

  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) {
    result.message = "cannot create directory " + dir + ": " + ec.message();
    return result;
  }
  const std::string script = "# Made by tinynas; run `gnuplot " + script_name +
                             "` in this directory to redraw " + name + ".png.\n" +
                             "set terminal pngcairo noenhanced size " + std::to_string(width_px) +
                             ",600\n" + "set output " + quoted(name + ".png") + "\n" + body;
  if (!write_file(folder / (name + ".dat"), data, result.message) ||
      !write_file(folder / script_name, script, result.message)) {
    return result;
  }
  fs::remove(png, ec);  // A PNG left by an earlier run must not pass for this one.

  const std::string how_later = "; to draw it later run `gnuplot " + script_name + "` in " + dir;
  ProcessOptions process_options;
  process_options.timeout_s = options.timeout_s;
  process_options.working_dir = dir;
  ProcessResult run;
  try {
    run = run_process({options.gnuplot, script_name}, process_options);
  } catch (const ProgramNotFound& e) {
    result.skipped = true;
    result.message = std::string("skipped: gnuplot not found (") + e.what() + ")" + how_later;
    return result;
  } catch (const util::Interrupted&) {
    throw;  // not a plot failure: the whole run stops
  } catch (const std::exception& e) {
    result.message = std::string("cannot run gnuplot: ") + e.what();
    return result;
  }
  const std::string err = trimmed(run.err);
  if (run.timed_out) {
    NumberWriter limit;
    limit << options.timeout_s;
    result.message = "gnuplot timed out after " + limit.str() + " s on " +
                     (folder / script_name).string() + (err.empty() ? "" : ": " + err);
    return result;
  }
  if (run.exit_code != 0) {
    result.message = "gnuplot failed (exit " + std::to_string(run.exit_code) + ") on " +
                     (folder / script_name).string() + (err.empty() ? "" : ": " + err);
    return result;
  }
  if (!has_png_signature(png)) {
    result.message = "gnuplot exited normally but wrote no PNG at " + png.string() +
                     (err.empty() ? "" : ": " + err);
    return result;
  }
  result.ok = true;
  return result;
}

// The key goes under the plot, where it can never hide a line; the bottom margin grows with its
// rows (about three entries fit on one row at 900 px) so the key never covers the x label.
std::string key_below(size_t entries) {
  const size_t rows = (entries + 2) / 3;
  return "set key bmargin center horizontal box\nset bmargin " + std::to_string(4 + 2 * rows) +
         "\n";
}

std::string kilobytes(int64_t bytes) {
  NumberWriter kb;
  kb << static_cast<double>(bytes) / 1024.0;
  return kb.str();
}

// NAME.png: predicted against measured, one point per item, with the diagonal a perfect
// prediction would lie on; what the predictor and the latency model are judged by.
PlotResult plot_predicted_against_measured(const std::string& dir, const std::string& name,
                                           const std::vector<double>& measured,
                                           const std::vector<double>& predicted,
                                           const std::string& unit, const std::string& items,
                                           const std::string& title, bool log_scale,
                                           const PlotOptions& options) {
  if (measured.empty() || measured.size() != predicted.size())
    return nothing_to_plot(dir, name, "no held-out " + items + ", or unequal lists");
  NumberWriter data;
  data << "# measured predicted (" << unit << ")\n";
  for (size_t i = 0; i < measured.size(); ++i) data << measured[i] << ' ' << predicted[i] << '\n';
  const std::string body =
      "set title " + quoted(title) + "\nset xlabel " + quoted("measured " + unit) +
      "\nset ylabel " + quoted("predicted " + unit) + "\nset grid\nset size square\n" +
      (log_scale ? "set logscale xy\n" : "") + key_below(2) + "plot '" + name +
      ".dat' using 1:2 with points pointtype 7 title " + quoted("held-out " + items) +
      ", \\\n     x with lines dashtype 2 title 'predicted = measured'\n";
  return render(dir, name, data.str(), body, options);
}

}  // namespace

PlotResult plot_flops_cdf(const std::string& dir, const std::vector<CdfSeries>& series,
                          const PlotOptions& options) {
  NumberWriter data;
  std::string plots;
  int index = 0;
  for (const CdfSeries& s : series) {
    std::vector<double> values;
    values.reserve(s.sorted_mmacs.size());
    for (double v : s.sorted_mmacs) {
      if (std::isfinite(v)) values.push_back(v);
    }
    if (values.empty()) continue;
    std::sort(values.begin(), values.end());  // Cheap insurance: steps need ascending x.
    // gnuplot separates data sets ("index N") by two blank lines.
    if (index > 0) data << "\n\n";
    data << "# " << s.label << "\n# MMACs cumulative_fraction\n";
    data << values.front() << " 0\n";  // Start each line on the x axis.
    const double n = static_cast<double>(values.size());
    for (size_t i = 0; i < values.size(); ++i) data << values[i] << ' ' << (i + 1) / n << '\n';
    plots += std::string(plots.empty() ? "plot " : ", \\\n     ") + "'flops_cdf.dat' index " +
             std::to_string(index) + " using 1:2 with steps linewidth 2 title " + quoted(s.label);
    ++index;
  }
  if (index == 0) {
    return nothing_to_plot(dir, "flops_cdf",
                           "no space has a sub-net that satisfies the constraints");
  }
  const std::string body =
      "set title 'FLOPs distribution of the sub-nets that fit, per (resolution, width) space'\n"
      "set xlabel 'MACs (millions)'\n"
      "set ylabel 'cumulative fraction of satisfying sub-nets'\n"
      "set yrange [0:1.02]\n"
      "set grid\n" +
      key_below(static_cast<size_t>(index)) + plots + "\n";
  return render(dir, "flops_cdf", data.str(), body, options);
}

PlotResult plot_block_memory(const std::string& dir, const std::string& winner_label,
                             const std::vector<int64_t>& winner_per_block_bytes,
                             const std::string& baseline_label,
                             const std::vector<int64_t>& baseline_per_block_bytes,
                             int64_t budget_bytes, const PlotOptions& options) {
  if (winner_per_block_bytes.empty() && baseline_per_block_bytes.empty()) {
    return nothing_to_plot(dir, "block_memory", "no per-block memory was given");
  }
  NumberWriter data;
  std::vector<std::string> plots;
  int index = 0;
  const auto add = [&](const std::string& label, const std::vector<int64_t>& bytes,
                       const char* style) {
    if (bytes.empty()) return;
    if (index > 0) data << "\n\n";
    data << "# " << label << "\n# block peak_kB\n";
    for (size_t i = 0; i < bytes.size(); ++i) data << i << ' ' << kilobytes(bytes[i]) << '\n';
    plots.push_back("'block_memory.dat' index " + std::to_string(index) + " using 1:2 " + style +
                    " title " + quoted(label));
    ++index;
  };
  add(winner_label, winner_per_block_bytes, "with linespoints linewidth 2 pointtype 7");
  add(baseline_label, baseline_per_block_bytes, "with linespoints linewidth 2 pointtype 5");
  if (budget_bytes > 0) {
    plots.push_back(kilobytes(budget_bytes) +
                    " with lines dashtype 2 linewidth 2 linecolor rgb 'red' title " +
                    quoted("SRAM budget (" + kilobytes(budget_bytes) + " kB)"));
  }
  const size_t blocks = std::max(winner_per_block_bytes.size(), baseline_per_block_bytes.size());
  std::string body =
      "set title 'Peak SRAM per block: searched network vs baseline at the same budget'\n"
      "set xlabel 'block index'\n"
      "set ylabel 'peak SRAM (kB, 1 kB = 1024 bytes)'\n"
      "set yrange [0:*]\n"
      "set grid\n" +
      key_below(plots.size());
  // Whole-number ticks while they fit; gnuplot picks its own for long networks.
  if (blocks <= 30) body += "set xtics 1\n";
  NumberWriter x_range;
  x_range << "set xrange [-0.5:" << static_cast<double>(blocks) - 0.5 << "]\n";
  body += x_range.str();
  for (size_t i = 0; i < plots.size(); ++i) {
    body += (i == 0 ? "plot " : ", \\\n     ") + plots[i];
  }
  body += "\n";
  return render(dir, "block_memory", data.str(), body, options);
}

PlotResult plot_evolution(const std::string& dir, const std::vector<EvolutionRow>& rows,
                          const std::string& fitness_label, const PlotOptions& options) {
  if (rows.empty()) return nothing_to_plot(dir, "evolution", "no generations were given");
  NumberWriter data;
  data << "# generation best mean\n";
  for (const EvolutionRow& row : rows) {
    data << row.generation << ' ' << row.best << ' ' << row.mean << '\n';
  }
  const std::string body =
      "set title 'Evolution search: fitness per generation'\n"
      "set xlabel 'generation'\n"
      "set ylabel " +
      quoted(fitness_label) +
      "\n"
      "set grid\n" +
      key_below(2) +
      "plot 'evolution.dat' using 1:2 with linespoints linewidth 2 pointtype 7 title 'best', \\\n"
      "     'evolution.dat' using 1:3 with linespoints linewidth 2 pointtype 5 title "
      "'population mean'\n";
  return render(dir, "evolution", data.str(), body, options);
}

PlotResult plot_predictor(const std::string& dir, const std::vector<double>& measured,
                          const std::vector<double>& predicted, const std::string& title,
                          const PlotOptions& options) {
  return plot_predicted_against_measured(dir, "predictor", measured, predicted, "top-1 (%)",
                                         "sub-nets", title, false, options);
}

PlotResult plot_latency(const std::string& dir, const std::vector<double>& measured,
                        const std::vector<double>& predicted, const std::string& measure,
                        const std::string& title, const PlotOptions& options) {
  return plot_predicted_against_measured(dir, "latency", measured, predicted,
                                         "(millions of " + measure + ")", "networks", title, true,
                                         options);
}

PlotResult plot_latency_pareto(const std::string& dir, const std::vector<LatencyPoint>& sampled,
                               const LatencyPoint& winner, double limit, const std::string& measure,
                               const std::string& title, const PlotOptions& options) {
  if (sampled.empty()) return nothing_to_plot(dir, "latency_pareto", "no sampled sub-nets");
  std::vector<LatencyPoint> by_latency = sampled;
  std::sort(by_latency.begin(), by_latency.end(),
            [](const LatencyPoint& a, const LatencyPoint& b) { return a.latency < b.latency; });
  NumberWriter data;
  data << "# sampled: latency mmacs\n";
  for (const LatencyPoint& p : sampled) data << p.latency << ' ' << p.mmacs << '\n';
  data << "\n\n# Pareto front: latency mmacs\n";
  double best = -1;
  for (const LatencyPoint& p : by_latency)
    if (p.mmacs > best) {
      best = p.mmacs;
      data << p.latency << ' ' << p.mmacs << '\n';
    }
  data << "\n\n# winner\n" << winner.latency << ' ' << winner.mmacs << '\n';
  NumberWriter limit_text;
  limit_text << limit;
  const std::string body =
      "set title " + quoted(title) + "\nset xlabel " +
      quoted("predicted latency (millions of " + measure + ")") +
      "\nset ylabel 'MACs (millions)'\n"
      "set grid\n"
      "set arrow from " +
      limit_text.str() + ", graph 0 to " + limit_text.str() +
      ", graph 1 nohead dashtype 2 linewidth 2\n" + key_below(3) +
      "plot 'latency_pareto.dat' index 0 using 1:2 with points pointtype 7 pointsize 0.5 "
      "title 'sampled sub-nets', \\\n"
      "     'latency_pareto.dat' index 1 using 1:2 with steps linewidth 2 title 'Pareto front', "
      "\\\n"
      "     'latency_pareto.dat' index 2 using 1:2 with points pointtype 9 pointsize 2.5 "
      "title 'winner'\n";
  return render(dir, "latency_pareto", data.str(), body, options);
}

PlotResult plot_training_curves(const std::string& dir, const std::vector<CurveSeries>& series,
                                const std::string& title, const PlotOptions& options) {
  NumberWriter data;
  std::string plots;
  int index = 0;
  for (const CurveSeries& s : series) {
    if (s.top1.empty()) continue;
    data << "# " << s.label << "\n";
    for (size_t e = 0; e < s.top1.size(); ++e) data << e + 1 << ' ' << s.top1[e] << '\n';
    data << "\n\n";  // the next gnuplot data block
    NumberWriter line;
    line << (plots.empty() ? "plot " : ", \\\n     ") << "'training.dat' index " << index++
         << " using 1:2 with linespoints pointtype 7 title " << quoted(s.label);
    plots += line.str();
  }
  if (plots.empty()) return nothing_to_plot(dir, "training", "no epochs were measured");
  const std::string body = "set title " + quoted(title) +
                           "\n"
                           "set xlabel 'epoch'\n"
                           "set ylabel 'top-1 (%)'\n"
                           "set grid\n" +
                           key_below(static_cast<size_t>(index)) + plots + "\n";
  return render(dir, "training", data.str(), body, options);
}

PlotResult plot_layer_profile(const std::string& dir, const std::vector<LayerBar>& bars,
                              const std::string& title, const PlotOptions& options) {
  if (bars.empty()) return nothing_to_plot(dir, "profile", "no layers were given");
  NumberWriter data;
  data << "# index layer instructions_millions\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    std::string name = bars[i].layer;  // one whitespace-free column for gnuplot
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return std::isspace(static_cast<unsigned char>(c)); }, '_');
    data << i << ' ' << name << ' ' << bars[i].instructions / 1e6 << '\n';
  }
  // Wider for long networks, so every layer keeps a readable name under its bar.
  const int width = std::max(900, std::min(3000, 200 + 16 * static_cast<int>(bars.size())));
  NumberWriter x_range;
  x_range << "set xrange [-0.7:" << static_cast<double>(bars.size()) - 0.3 << "]\n";
  const std::string body =
      "set title " + quoted(title) +
      "\n"
      "set ylabel 'instructions (millions)'\n"
      "set yrange [0:*]\n"
      "set grid ytics\n"
      "set style fill solid 0.8 border -1\n"
      "set boxwidth 0.8\n"
      "set xtics rotate by 90 right font ',8'\n"
      "set bmargin 8\n"
      "unset key\n" +
      x_range.str() + "plot 'profile.dat' using 1:3:xtic(2) with boxes linecolor rgb '#4477aa'\n";
  return render(dir, "profile", data.str(), body, options, width);
}

}  // namespace tinynas::cli
