#!/usr/bin/env bash
# Installs the `sweepgrid` command from this clone, for use from any folder:
#
#   build/install.sh                  # into ~/.local: ~/.local/bin/sweepgrid
#   build/install.sh --prefix DIR     # into DIR: DIR/bin/sweepgrid
#
# It publishes a Release build for this machine's architecture into PREFIX/lib/sweepgrid (the .NET
# runtime that came with the SDK runs it; TorchSharp's native library is patched there as in every
# build, build/WeakenGlibcxxNeed.targets), copies the example sweeps (sweeps/) and the bundled
# Fashion-MNIST sample (data/) beside it, and writes PREFIX/bin/sweepgrid, a two-line launcher that
# names the .NET installation, so the command and the worker processes it starts find the runtime
# wherever the SDK lives. Run it again to update; the previous installation is replaced only once
# the new one is complete. Needs only the .NET 10 SDK, like the rest of the build.
set -euo pipefail

prefix="${HOME}/.local"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) [[ $# -ge 2 ]] || { echo "install.sh: --prefix needs a folder" >&2; exit 2; }; prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (usage: build/install.sh [--prefix DIR])" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v dotnet > /dev/null || { echo "install.sh: dotnet not found on PATH: install the .NET 10 SDK first" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64|arm64) rid=linux-arm64 ;;
  *) echo "install.sh: no TorchSharp build for $(uname -m) (x86_64 or aarch64)" >&2; exit 2 ;;
esac
[[ "$(uname -s)" == Linux ]] || { echo "install.sh: Linux only (on macOS or Windows, use dotnet run --project src/SweepGrid.Cli)" >&2; exit 2; }
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"

mkdir -p "$prefix/bin" "$prefix/lib"
prefix="$(cd "$prefix" && pwd)"
app="$prefix/lib/sweepgrid"
staging="$prefix/lib/.sweepgrid.new.$$"
trap 'rm -rf "$staging"' EXIT

echo "publishing sweepgrid ($rid) ..."
dotnet publish "$root/src/SweepGrid.Cli/SweepGrid.Cli.csproj" -c Release -r "$rid" --self-contained false \
  -o "$staging" -nologo -v quiet -clp:ErrorsOnly
cp -R "$root/hocon/sweeps" "$staging/sweeps"
cp -R "$root/data" "$staging/data"

rm -rf "$app.old"
if [[ -e "$app" ]]; then mv "$app" "$app.old"; fi
mv "$staging" "$app"
rm -rf "$app.old"

launcher="$prefix/bin/sweepgrid"
cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
# Written by SweepGrid's build/install.sh: the installed command, run with the .NET installation it was built with.
DOTNET_ROOT="\${DOTNET_ROOT:-$dotnet_root}" exec "$app/sweepgrid" "\$@"
LAUNCHER
chmod 755 "$launcher.tmp"
mv "$launcher.tmp" "$launcher"

echo "installed $("$launcher" --version) in $app"
echo "  command:  $launcher"
echo "  sweeps:   $app/sweeps (e.g. sweepgrid run $app/sweeps/quick.hocon, from any folder)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "$prefix/bin is not on your PATH; add it, e.g. in ~/.profile:  export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
