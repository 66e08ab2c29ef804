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

nlohmann::json top1_json(int64_t correct, int64_t n) {
  return {{"top1", 100.0 * static_cast<double>(correct) / static_cast<double>(n)},
          {"correct", correct},
          {"images", n}};
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

nlohmann::json accuracy_json(const pipeline::AccuracyOptions& o,
                             const pipeline::AccuracyResult& r) {
  const int64_t n = r.images;
  nlohmann::json result = {
      {"model", o.model_dir},
      {"data", r.data.path},
      {"data_kind", r.data.kind_name()},
      {"split", o.split},
      {"images", n},
      {"images_in_split", r.images_in_split},
      {"limit", o.limit},
      {"seed", o.seed},
      {"image_size", {r.image_height, r.image_width, r.image_channels}},
      {"input_size", {r.input_shape.h, r.input_shape.w, r.input_shape.c}},
      {"resize", r.resized ? "bilinear (half-pixel, as torch interpolate)" : "none"},
      {"normalization", {{"mean", r.normalization.mean}, {"std", r.normalization.std}}},
      {"int8", top1_json(r.int8_correct, n)},
      {"float", nullptr},
      {"difference_points", nullptr},
      {"agreement", nullptr},
      {"seconds", r.seconds}};
  result["int8"]["engine"] = o.int8_engine;
  result["int8"]["tied_argmax"] = r.int8_tied_argmax;
  if (r.float_measured) {
    result["float"] = top1_json(r.float_correct, n);
    result["float"]["weights"] = o.weights_dir;
    result["difference_points"] = r.int8_top1() - r.float_top1();
    result["agreement"] = {{"percent", r.agreement()}, {"images", r.agree}};
  }
  return result;
}

}  // namespace tinynas::cli
