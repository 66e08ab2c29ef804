#include "firmware/embedded_target.h"

#include <stdexcept>

namespace tinynas::firmware {

const EmbeddedFile& embedded_target_file(const std::string& name) {
  for (const EmbeddedFile& file : embedded_target_files())
    if (name == file.name) return file;
  throw std::logic_error("firmware target file '" + name + "' is not embedded in tinynas_hil");
}

}  // namespace tinynas::firmware
