#include "cli/reports.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "util/json_reader.h"

namespace tinynas::cli {

namespace {

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

}  // namespace

void write_space_ranking_csv(const std::string& path,
                             const std::vector<nas::SubspaceStats>& ranking) {
  std::ostringstream out;
  out << "rank,resolution,width_mult,sampled,satisfying,satisfying_fraction,mean_macs,p10_macs,"
         "p50_macs,p90_macs\n";
  for (size_t i = 0; i < ranking.size(); ++i) {
    const nas::SubspaceStats& s = ranking[i];
    out << i + 1 << ',' << s.resolution << ',' << fixed(s.width_mult, 2) << ',' << s.sampled << ','
        << s.satisfying << ',' << fixed(s.satisfying_fraction(), 4) << ',' << fixed(s.mean_macs, 1)
        << ',' << s.p10_macs << ',' << s.p50_macs << ',' << s.p90_macs << '\n';
  }
  util::write_file_atomically(path, out.str());
}

void write_flops_cdf_csv(const std::string& path, const std::vector<nas::SubspaceStats>& ranking,
                         int top_k) {
  std::ostringstream out;
  out << "rank,resolution,width_mult,macs,cdf\n";
  const size_t n = std::min(ranking.size(), static_cast<size_t>(std::max(0, top_k)));
  for (size_t i = 0; i < n; ++i) {
    const nas::SubspaceStats& s = ranking[i];
    const size_t count = s.satisfying_macs.size();
    for (size_t j = 0; j < count; ++j)
      out << i + 1 << ',' << s.resolution << ',' << fixed(s.width_mult, 2) << ','
          << s.satisfying_macs[j] << ',' << fixed(double(j + 1) / double(count), 4) << '\n';
  }
  util::write_file_atomically(path, out.str());
}

void write_evolution_csv(const std::string& path,
                         const std::vector<nas::GenerationStats>& history) {
  std::ostringstream out;
  out << "generation,best_fitness,mean_fitness,children,rejected\n";
  for (const nas::GenerationStats& g : history)
    out << g.generation << ',' << fixed(g.best_fitness, 6) << ',' << fixed(g.mean_fitness, 6) << ','
        << g.children << ',' << g.rejected << '\n';
  util::write_file_atomically(path, out.str());
}

void write_json(const std::string& path, const nlohmann::json& json) {
  util::write_file_atomically(path, json.dump(2) + "\n");
}

nlohmann::json subspace_json(const nas::SubspaceStats& s) {
  return {{"resolution", s.resolution},
          {"width_mult", s.width_mult},
          {"sampled", s.sampled},
          {"satisfying", s.satisfying},
          {"satisfying_fraction", s.satisfying_fraction()},
          {"mean_macs", s.mean_macs},
          {"p10_macs", s.p10_macs},
          {"p50_macs", s.p50_macs},
          {"p90_macs", s.p90_macs}};
}

}  // namespace tinynas::cli
