// gpuscope decode NAME...: explain kernel names without a trace.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "analysis/myelin/kernel_name_decoder.h"
#include "cli/commands.h"

namespace gpuscope::cli {

void printDecodedKernels(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    analysis::DecodedKernel d = analysis::decodeKernelName(n);
    std::printf("%s\n  %s\n", n.c_str(), d.summary.c_str());
    if (!d.unknown.empty()) {
      std::string u;
      for (const auto& x : d.unknown) u += " " + x;
      std::printf("  unknown abbreviations:%s\n", u.c_str());
    }
  }
}

void addDecodeCommand(CLI::App& app, Action& action) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "decode", "Explain kernel names: Myelin fused op chains (__myl_...), TensorRT, cuDNN, "
                "cuBLAS and CUTLASS kernels (library, types, tile, layout)");
  cmd->add_option("names", *names, "kernel names (quote them)")->required();
  cmd->callback([names, &action] {
    action = [names] {
      printDecodedKernels(*names);
      return OkStatus();
    };
  });
}

}  // namespace gpuscope::cli
