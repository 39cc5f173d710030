# syntax=docker/dockerfile:1
#
# SweepGrid's image: the `sweepgrid` command as entrypoint, run as a non-root user.
#
#   docker build -t sweepgrid:cpu .                                   # CPU (the default)
#   docker build -t sweepgrid:cuda --build-arg TORCH_BACKEND=cuda .   # NVIDIA GPUs
#
# TORCH_BACKEND is passed on as the MSBuild property TorchBackend, the one place that picks
# TorchSharp-cpu or TorchSharp-cuda-linux (Directory.Build.props; `dotnet build -p:TorchBackend=cuda`
# does the same outside Docker). It also picks the runtime stage below.
#
# The build stage restores, runs the unit tests (Core, Training) and publishes a self-contained
# linux-x64 app, so the runtime stage needs no .NET install: the same layout runs on Ubuntu and on
# NVIDIA's CUDA image. The cluster and integration tests need PostgreSQL and real processes; CI runs
# them (`.ci/run`), not the image build.
ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
# Project files first, so that the restore layer survives source edits.
COPY SweepGrid.sln Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/SweepGrid.Core/SweepGrid.Core.csproj src/SweepGrid.Core/
COPY src/SweepGrid.Data/SweepGrid.Data.csproj src/SweepGrid.Data/
COPY src/SweepGrid.Store/SweepGrid.Store.csproj src/SweepGrid.Store/
COPY src/SweepGrid.Training/SweepGrid.Training.csproj src/SweepGrid.Training/
COPY src/SweepGrid.Cluster/SweepGrid.Cluster.csproj src/SweepGrid.Cluster/
COPY src/SweepGrid.Worker/SweepGrid.Worker.csproj src/SweepGrid.Worker/
COPY src/SweepGrid.Cli/SweepGrid.Cli.csproj src/SweepGrid.Cli/
COPY tests/Directory.Build.props tests/
COPY tests/SweepGrid.Core.Tests/SweepGrid.Core.Tests.csproj tests/SweepGrid.Core.Tests/
COPY tests/SweepGrid.Training.Tests/SweepGrid.Training.Tests.csproj tests/SweepGrid.Training.Tests/
RUN dotnet restore src/SweepGrid.Cli/SweepGrid.Cli.csproj -r linux-x64 -p:TorchBackend=${TORCH_BACKEND} \
 && dotnet restore tests/SweepGrid.Core.Tests/SweepGrid.Core.Tests.csproj -p:TorchBackend=${TORCH_BACKEND} \
 && dotnet restore tests/SweepGrid.Training.Tests/SweepGrid.Training.Tests.csproj -p:TorchBackend=${TORCH_BACKEND}
COPY hocon/ hocon/
COPY data/ data/
COPY src/ src/
COPY tests/SweepGrid.Core.Tests/ tests/SweepGrid.Core.Tests/
COPY tests/SweepGrid.Training.Tests/ tests/SweepGrid.Training.Tests/
# The training tests run on the CPU in either backend (the build has no GPU).
RUN dotnet test tests/SweepGrid.Core.Tests/SweepGrid.Core.Tests.csproj -c Release --no-restore -p:TorchBackend=${TORCH_BACKEND} \
 && dotnet test tests/SweepGrid.Training.Tests/SweepGrid.Training.Tests.csproj -c Release --no-restore -p:TorchBackend=${TORCH_BACKEND}
RUN dotnet publish src/SweepGrid.Cli/SweepGrid.Cli.csproj -c Release -r linux-x64 --self-contained --no-restore \
      -p:TorchBackend=${TORCH_BACKEND} -o /app

# Runtime bases, one per backend. libtorch's CUDA build ships its own CUDA and cuDNN libraries inside
# TorchSharp-cuda-linux, so the CUDA image needs only what NVIDIA's container toolkit expects of an
# image (its environment variables naming the driver capabilities); the smaller "base" flavour has that.
FROM ubuntu:24.04 AS runtime-cpu
FROM nvidia/cuda:12.8.1-base-ubuntu24.04 AS runtime-cuda

FROM runtime-${TORCH_BACKEND} AS runtime
# libssl: TLS to an external PostgreSQL; fontconfig and a font: `sweepgrid report` draws text.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3t64 libstdc++6 fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
# A fixed, non-root uid: Kubernetes' runAsNonRoot checks the number, and the shared volumes'
# fsGroup in k8s/ matches it.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/sweepgrid --shell /usr/sbin/nologin sweepgrid \
 && mkdir -p /var/lib/sweepgrid && chown sweepgrid:sweepgrid /var/lib/sweepgrid
COPY --from=build /app /opt/sweepgrid
# The example sweeps and the bundled Fashion-MNIST sample, where the sweeps expect them (data/...,
# relative to the working directory).
COPY --from=build /src/hocon/sweeps /opt/sweepgrid/sweeps
COPY --from=build /src/data /var/lib/sweepgrid/data
ENV PATH=/opt/sweepgrid:${PATH} \
    SWEEPGRID_CONSOLE_LOG_LEVEL=INFO
USER 10001:10001
WORKDIR /var/lib/sweepgrid
# Remoting (akka.remote.dot-netty.tcp.port in hocon/cluster.conf).
EXPOSE 4053
ENTRYPOINT ["/opt/sweepgrid/sweepgrid"]
CMD ["--help"]
