// What `tinynas verify --profile` shows and writes: the per-layer table and the per-op-kind table
// as text, and profile.csv + profile.png (gnuplot) in a folder.
//
//   const firmware::LayerProfile p = firmware::make_layer_profile(model.graph, fw);
//   std::printf("%s", layer_profile_text(p, plain_instructions).c_str());
//   ProfileFiles f = write_layer_profile(p, "model/", "mcunet-in0 on qemu-m4");
#pragma once

#include <cstdint>
#include <string>

#include "cli/plots.h"
#include "firmware/layer_profile.h"

namespace tinynas::cli {

// The per-layer table, the per-op-kind table and how the layers add up: to the profiled
// inference, and to plain_inference (the same model built without markers) plus one marker per
// layer. plain_inference <= 0 leaves that comparison out.
std::string layer_profile_text(const firmware::LayerProfile& profile, double plain_inference);

struct ProfileFiles {
  std::string csv_path;
  PlotResult plot;  // profile.png, or why it was not drawn
};

// dir/profile.csv (atomically) and dir/profile.png; throws std::runtime_error when the CSV cannot
// be written (a missing gnuplot is only a note in `plot`).
ProfileFiles write_layer_profile(const firmware::LayerProfile& profile, const std::string& dir,
                                 const std::string& title);

}  // namespace tinynas::cli
