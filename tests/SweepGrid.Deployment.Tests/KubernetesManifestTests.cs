using System.Data.Common;
using Akka.Configuration;
using SweepGrid.Cluster.Hosting;
using YamlDotNet.RepresentationModel;
using static SweepGrid.Deployment.Tests.Manifests;
using static SweepGrid.Tests.Shared.TestMachine;

namespace SweepGrid.Deployment.Tests;

/// <summary>
/// k8s/ as kustomize builds it, checked for what a cluster would only reveal at run time: names,
/// ports, selectors and seed addresses that must agree with each other, with hocon/ and with the CLI.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly Manifests K8s = Build("k8s");
    private static readonly string Hocon = Path.Combine(RepoRoot(), "hocon");
    private static readonly Config NodeConfig = HoconFiles.Parse("cluster.conf", Hocon).WithFallback(HoconFiles.Parse("sweepgrid.conf", Hocon));
    private static readonly int RemotingPort = NodeConfig.GetInt("akka.remote.dot-netty.tcp.port");

    private static Resource Coordinators => K8s.Single("StatefulSet", "sweepgrid-coordinator");

    private static Resource Workers => K8s.Single("StatefulSet", "sweepgrid-worker");

    private static readonly Resource[] Nodes = [Coordinators, Workers];

    private static YamlNode PodSpec(Resource r) => r.Node.Path("spec", "template", "spec");

    private static IReadOnlyDictionary<string, string> PodLabels(Resource r) => r.Node.Path("spec", "template", "metadata", "labels").Labels();

    private static YamlNode Container(Resource r) => PodSpec(r).Seq("containers").Single();

    private static List<string> Args(YamlNode container) => container.Seq("args").Select(a => a.Str()).ToList();

    private static List<string> Values(List<string> args, string option) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == option).Select(x => args[x.i + 1]).ToList();

    private static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    [Fact]
    public void Every_yaml_file_parses_and_every_object_has_a_kind_and_a_name()
    {
        var files = Directory.GetFiles(Path.Combine(RepoRoot(), "k8s"), "*.yaml", SearchOption.AllDirectories).Append(Path.Combine(Hocon, "kustomization.yaml")).ToList();
        Assert.True(files.Count >= 15, $"only {files.Count} YAML files under k8s/");
        foreach (var file in files)
        {
            var documents = Documents(file);
            Assert.NotEmpty(documents);
            if (Path.GetFileName(file) == "kustomization.yaml") continue;
            Assert.All(documents, d => Assert.False(string.IsNullOrEmpty(d.Str("apiVersion") + d.Str("kind") + d.Get("metadata").Str("name")), file));
        }
    }

    [Fact]
    public void Both_kustomizations_build_and_hold_every_part_the_deployment_needs()
    {
        string[] expected = ["Namespace/sweepgrid", "Service/sweepgrid", "StatefulSet/sweepgrid-coordinator", "StatefulSet/sweepgrid-worker",
            "PersistentVolumeClaim/sweepgrid-store", "PodDisruptionBudget/sweepgrid-coordinator", "PodDisruptionBudget/sweepgrid-worker",
            "NetworkPolicy/sweepgrid-remoting", "NetworkPolicy/sweepgrid-metrics", "Deployment/sweepgrid-dashboard", "Service/sweepgrid-dashboard", "NetworkPolicy/sweepgrid-dashboard"];
        string[] database = ["StatefulSet/sweepgrid-postgres", "Service/sweepgrid-postgres", "NetworkPolicy/sweepgrid-postgres"];
        var inCluster = K8s.Resources.Select(r => $"{r.Kind}/{r.Name}").ToList();
        Assert.Equal(inCluster.Count, inCluster.Distinct().Count());
        Assert.Equal(expected.Concat(database).Order(), inCluster.Order());

        var external = Build("k8s/external-postgres");
        Assert.Equal(expected.Order(), external.Resources.Select(r => $"{r.Kind}/{r.Name}").Order());
        Assert.NotEqual(Host(K8s), Host(external));
        Assert.Equal("sweepgrid-postgres", Host(K8s));
        Assert.Equal("sweepgrid-postgres", K8s.Single("Service", "sweepgrid-postgres").Name);
    }

    private static string Host(Manifests m) => (string)ConnectionString(m)["Host"];

    private static DbConnectionStringBuilder ConnectionString(Manifests m)
    {
        var literal = m.ConfigMaps.Single(c => c.Name == "sweepgrid-env").Literals.Single(l => l.StartsWith("SWEEPGRID_POSTGRES=", StringComparison.Ordinal));
        return new DbConnectionStringBuilder { ConnectionString = literal["SWEEPGRID_POSTGRES=".Length..] };
    }

    [Fact]
    public void The_nodes_read_a_ConfigMap_generated_from_the_hocon_files()
    {
        var generated = K8s.ConfigMaps.Single(c => c.Name == "sweepgrid-hocon");
        Assert.Equal(new[] { "sweepgrid.conf", "cluster.conf" }.Select(f => Path.Combine(Hocon, f)).Order(), generated.Files.Order());
        foreach (var node in Nodes)
        {
            var configDir = Assert.Single(Values(Args(Container(node)), "--config-dir"));
            var volume = PodSpec(node).Seq("volumes").Single(v => v.Has("configMap") && v.Get("configMap").Str("name") == "sweepgrid-hocon").Str("name");
            var mount = Container(node).Seq("volumeMounts").Single(m => m.Str("name") == volume);
            Assert.Equal(configDir, mount.Str("mountPath"));
        }
    }

    [Fact]
    public void Remoting_ports_are_named_and_all_equal_the_hocon_port()
    {
        Assert.Equal(4053, RemotingPort);
        var service = K8s.Single("Service", "sweepgrid");
        var servicePort = service.Node.Path("spec").Seq("ports").Single();
        Assert.Equal(("remoting", RemotingPort.ToString(), "remoting"), (servicePort.Str("name"), servicePort.Str("port"), servicePort.Str("targetPort")));
        foreach (var node in Nodes)
        {
            var port = Container(node).Seq("ports").Single(p => p.Str("name") == "remoting");
            Assert.Equal(("remoting", RemotingPort.ToString()), (port.Str("name"), port.Str("containerPort")));
            Assert.Equal([RemotingPort.ToString()], Values(Args(Container(node)), "--port"));
        }

        var policyPort = K8s.Single("NetworkPolicy", "sweepgrid-remoting").Node.Path("spec").Seq("ingress").Single().Seq("ports").Single();
        Assert.Equal(("remoting", "TCP"), (policyPort.Str("port"), policyPort.Str("protocol")));
        Assert.Contains($"EXPOSE {RemotingPort}", File.ReadAllLines(Path.Combine(RepoRoot(), "Dockerfile")));
    }

    [Fact]
    public void Nodes_serve_metrics_on_the_port_their_annotations_name_and_only_the_monitoring_namespace_may_scrape_it()
    {
        foreach (var node in Nodes)
        {
            var args = Args(Container(node));
            var port = Container(node).Seq("ports").Single(p => p.Str("name") == "metrics");
            Assert.Equal([port.Str("containerPort")], Values(args, "--metrics-port"));
            Assert.Equal(["0.0.0.0"], Values(args, "--metrics-host"));
            var annotations = node.Node.Path("spec", "template", "metadata", "annotations").Labels();
            Assert.Equal(("true", port.Str("containerPort"), "/metrics"), (annotations["prometheus.io/scrape"], annotations["prometheus.io/port"], annotations["prometheus.io/path"]));
        }

        var policy = K8s.Single("NetworkPolicy", "sweepgrid-metrics").Node.Path("spec").Seq("ingress").Single();
        Assert.Equal(("metrics", "TCP"), (policy.Seq("ports").Single().Str("port"), policy.Seq("ports").Single().Str("protocol")));
        Assert.Equal("monitoring", policy.Seq("from").Single().Path("namespaceSelector", "matchLabels").Labels()["kubernetes.io/metadata.name"]);
        var monitor = Documents(Path.Combine(RepoRoot(), "k8s", "examples", "pod-monitor.yaml")).Single();
        Assert.Equal("metrics", monitor.Path("spec").Seq("podMetricsEndpoints").Single().Str("port"));
    }

    [Fact]
    public void The_spot_pool_example_runs_the_workers_node_on_spot_machines_outside_the_on_demand_pools_selectors()
    {
        var spot = new Manifests.Resource("spot-workers.yaml", Documents(Path.Combine(RepoRoot(), "k8s", "examples", "spot-workers.yaml")).Single());
        var labels = PodLabels(spot);

        // The same node: arguments (seeds, store, metrics), environment (TLS, database), image and mounts.
        Assert.Equal(Args(Container(Workers)), Args(Container(spot)));
        Assert.Equal(Container(Workers).Seq("env").Select(e => e.Str("name")), Container(spot).Seq("env").Select(e => e.Str("name")));
        Assert.Equal(Container(Workers).Str("image"), Container(spot).Str("image"));
        Assert.Equal("sweepgrid", spot.Node.Path("spec").Str("serviceName"));
        // On spot machines, with their notice as grace period.
        Assert.Equal("true", PodSpec(spot).Path("nodeSelector").Labels()["cloud.google.com/gke-spot"]);
        Assert.Contains(PodSpec(spot).Seq("tolerations"), t => t.Str("key") == "cloud.google.com/gke-spot");
        Assert.True(int.Parse(PodSpec(spot).Str("terminationGracePeriodSeconds")) <= 30);
        // Reached and named like every node, and never adopted by the on-demand pool or counted in its budget.
        Assert.True(Matches(spot.Node.Path("spec", "selector", "matchLabels").Labels(), labels));
        Assert.True(Matches(K8s.Single("Service", "sweepgrid").Node.Path("spec", "selector").Labels(), labels));
        Assert.True(Matches(K8s.Single("NetworkPolicy", "sweepgrid-remoting").Node.Path("spec", "podSelector", "matchLabels").Labels(), labels));
        Assert.False(Matches(Workers.Node.Path("spec", "selector", "matchLabels").Labels(), labels));
        Assert.False(Matches(K8s.Single("PodDisruptionBudget", "sweepgrid-worker").Node.Path("spec", "selector", "matchLabels").Labels(), labels));
    }

    [Fact]
    public void Every_selector_matches_the_pods_it_means_and_no_others()
    {
        var templates = K8s.OfKind("StatefulSet").Concat(K8s.OfKind("Deployment")).ToDictionary(s => s.Name, PodLabels);
        foreach (var set in K8s.OfKind("StatefulSet").Concat(K8s.OfKind("Deployment")))
        {
            Assert.True(Matches(set.Node.Path("spec", "selector", "matchLabels").Labels(), PodLabels(set)), $"{set.Name}: selector does not match its pods");
        }

        IEnumerable<string> Selected(IReadOnlyDictionary<string, string> selector) => templates.Where(t => Matches(selector, t.Value)).Select(t => t.Key).Order();
        Assert.Equal(["sweepgrid-coordinator", "sweepgrid-worker"], Selected(K8s.Single("Service", "sweepgrid").Node.Path("spec", "selector").Labels()));
        Assert.Equal(["sweepgrid-postgres"], Selected(K8s.Single("Service", "sweepgrid-postgres").Node.Path("spec", "selector").Labels()));
        Assert.Equal(["sweepgrid-coordinator"], Selected(K8s.Single("PodDisruptionBudget", "sweepgrid-coordinator").Node.Path("spec", "selector", "matchLabels").Labels()));
        Assert.Equal(["sweepgrid-worker"], Selected(K8s.Single("PodDisruptionBudget", "sweepgrid-worker").Node.Path("spec", "selector", "matchLabels").Labels()));

        var remoting = K8s.Single("NetworkPolicy", "sweepgrid-remoting").Node.Path("spec");
        Assert.Equal(["sweepgrid-coordinator", "sweepgrid-worker"], Selected(remoting.Path("podSelector", "matchLabels").Labels()));
        Assert.Equal(["sweepgrid-coordinator", "sweepgrid-worker"], Selected(remoting.Seq("ingress").Single().Seq("from").Single().Path("podSelector", "matchLabels").Labels()));
        var database = K8s.Single("NetworkPolicy", "sweepgrid-postgres").Node.Path("spec");
        Assert.Equal(["sweepgrid-postgres"], Selected(database.Path("podSelector", "matchLabels").Labels()));
        Assert.Equal(["sweepgrid-coordinator", "sweepgrid-dashboard", "sweepgrid-worker"],
            database.Seq("ingress").Single().Seq("from").SelectMany(f => Selected(f.Path("podSelector", "matchLabels").Labels())).Order());
        Assert.Equal(["sweepgrid-dashboard"], Selected(K8s.Single("Service", "sweepgrid-dashboard").Node.Path("spec", "selector").Labels()));
        Assert.Equal(["sweepgrid-dashboard"], Selected(K8s.Single("NetworkPolicy", "sweepgrid-dashboard").Node.Path("spec", "podSelector", "matchLabels").Labels()));

        // The submitting client's pods must pass the remoting policy too.
        var client = Documents(Path.Combine(RepoRoot(), "k8s", "examples", "submit-job.yaml")).Single();
        Assert.True(Matches(remoting.Path("podSelector", "matchLabels").Labels(), client.Path("spec", "template", "metadata", "labels").Labels()));
    }

    [Fact]
    public void Seed_nodes_are_the_stable_DNS_names_of_the_coordinator_pods()
    {
        var service = K8s.Single("Service", "sweepgrid").Node.Path("spec");
        Assert.Equal(("None", "true"), (service.Str("clusterIP"), service.Str("publishNotReadyAddresses")));
        int replicas = int.Parse(Coordinators.Node.Path("spec").Str("replicas"));
        Assert.True(replicas >= 2, "one coordinator cannot hand the director over");
        // The split-brain resolver keeps the side with most coordinators: an odd number, so that losing
        // one is never an even split, and a disruption budget that keeps that majority up.
        Assert.Equal(("keep-majority", "coordinator"), (NodeConfig.GetString("akka.cluster.split-brain-resolver.active-strategy"),
            NodeConfig.GetString("akka.cluster.split-brain-resolver.keep-majority.role")));
        Assert.True(replicas % 2 == 1, $"{replicas} coordinators: losing one is an even split");
        Assert.Equal((replicas / 2 + 1).ToString(), K8s.Single("PodDisruptionBudget", "sweepgrid-coordinator").Node.Path("spec").Str("minAvailable"));
        var expected = Enumerable.Range(0, replicas).Select(i => $"{Coordinators.Name}-{i}.sweepgrid:{RemotingPort}").ToList();
        foreach (var node in Nodes)
        {
            Assert.Equal("sweepgrid", node.Node.Path("spec").Str("serviceName"));
            var args = Args(Container(node));
            Assert.Equal(expected, Values(args, "--seed"));
            // Its own address has the seeds' form, so coordinator-N's address is exactly the Nth seed.
            Assert.Equal(["$(POD_NAME).sweepgrid"], Values(args, "--host"));
            var podName = Container(node).Seq("env").Single(e => e.Str("name") == "POD_NAME");
            Assert.Equal("metadata.name", podName.Path("valueFrom", "fieldRef").Str("fieldPath"));
        }
    }

    [Fact]
    public void Workers_share_out_the_cores_they_request_not_the_machines()
    {
        var container = Container(Workers);
        Assert.False(container.Get("resources").Get("limits").Has("cpu"), "a CPU limit throttles training; the request is what the pod may count on");
        var requested = container.Get("resources").Path("requests").Str("cpu");
        Assert.True(int.TryParse(requested, out var cores) && cores >= 1, $"requests.cpu {requested}: whole cores, so the count .NET is given is the request");
        var count = container.Seq("env").Single(e => e.Str("name") == "DOTNET_PROCESSOR_COUNT").Path("valueFrom", "resourceFieldRef");
        Assert.Equal((container.Str("name"), "requests.cpu", "1"), (count.Str("containerName"), count.Str("resource"), count.Str("divisor")));
    }

    [Fact]
    public void Workers_ask_for_GPUs_on_GPU_machines_and_coordinators_do_not()
    {
        var resources = Container(Workers).Get("resources");
        Assert.True(int.Parse(resources.Path("limits").Str("nvidia.com/gpu")) >= 1);
        Assert.Equal("true", PodSpec(Workers).Get("nodeSelector").Str("nvidia.com/gpu.present"));
        Assert.Contains(PodSpec(Workers).Seq("tolerations"), t => t.Str("key") == "nvidia.com/gpu" && t.Str("effect") == "NoSchedule");
        Assert.EndsWith(":cuda", Container(Workers).Str("image"));

        Assert.False(Container(Coordinators).Get("resources").Get("limits").Has("nvidia.com/gpu"));
        Assert.False(PodSpec(Coordinators).Has("nodeSelector"));
        Assert.EndsWith(":cpu", Container(Coordinators).Str("image"));
    }

    [Fact]
    public void Every_container_requests_cpu_and_memory_and_limits_memory()
    {
        foreach (var set in K8s.OfKind("StatefulSet"))
        {
            var resources = Container(set).Get("resources");
            Assert.True(resources.Get("requests").Has("cpu") && resources.Get("requests").Has("memory") && resources.Get("limits").Has("memory"), set.Name);
        }
    }

    [Fact]
    public void Probes_ask_sweepgrid_health_live_for_liveness_and_ready_for_readiness()
    {
        foreach (var node in Nodes)
        {
            List<string> Probe(string name) => Container(node).Path(name, "exec").Seq("command").Select(c => c.Str()).ToList();
            Assert.Equal(["/opt/sweepgrid/sweepgrid", "health", "--live"], Probe("startupProbe"));
            Assert.Equal(["/opt/sweepgrid/sweepgrid", "health", "--live"], Probe("livenessProbe"));
            Assert.Equal(["/opt/sweepgrid/sweepgrid", "health"], Probe("readinessProbe"));
        }
    }

    [Fact]
    public void The_dashboard_serves_on_all_pod_addresses_behind_its_Service_ready_when_the_store_answers()
    {
        var dashboard = K8s.Single("Deployment", "sweepgrid-dashboard");
        var container = Container(dashboard);
        var args = container.Seq("args").Select(a => a.Str()).ToList();
        Assert.Equal(["serve", "--bind", "0.0.0.0", "--port", "8080"], args.Take(5));
        var port = container.Seq("ports").Single();
        Assert.Equal(("http", "8080"), (port.Str("name"), port.Str("containerPort")));
        Assert.Equal(("/healthz", "http"), (container.Path("readinessProbe", "httpGet").Str("path"), container.Path("readinessProbe", "httpGet").Str("port")));
        Assert.Equal("http", container.Path("livenessProbe", "tcpSocket").Str("port"));
        var service = K8s.Single("Service", "sweepgrid-dashboard");
        Assert.Equal("http", service.Node.Path("spec").Seq("ports").Single().Str("targetPort"));
        Assert.Equal(dashboard.Node.Path("spec", "template", "metadata", "labels").Labels()["app.kubernetes.io/name"],
            service.Node.Path("spec", "selector").Str("app.kubernetes.io/name"));
        // The database admits it; its password comes from the Secret like the nodes'.
        var admitted = K8s.Single("NetworkPolicy", "sweepgrid-postgres").Node.Path("spec").Seq("ingress").Single().Seq("from")
            .Select(f => f.Path("podSelector", "matchLabels").Str("app.kubernetes.io/name")).ToList();
        Assert.Contains("sweepgrid-dashboard", admitted);
        var password = container.Seq("env").Single(e => e.Str("name") == "SWEEPGRID_POSTGRES_PASSWORD");
        Assert.Equal("sweepgrid-postgres", password.Path("valueFrom", "secretKeyRef").Str("name"));
    }

    [Fact]
    public void No_secret_value_is_written_in_the_manifests()
    {
        Assert.Empty(K8s.OfKind("Secret"));
        var env = K8s.OfKind("StatefulSet").SelectMany(s => Container(s).SeqOrEmpty("env")).ToList();
        var secretish = env.Where(e => new[] { "PASSWORD", "SECRET", "TOKEN" }.Any(w => e.Str("name").Contains(w, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.Equal(3, secretish.Count); // the coordinators', the workers' and PostgreSQL's password
        Assert.All(secretish, e =>
        {
            Assert.False(e.Has("value"), e.Str("name"));
            Assert.Equal(("sweepgrid-postgres", "password"), (e.Path("valueFrom", "secretKeyRef").Str("name"), e.Path("valueFrom", "secretKeyRef").Str("key")));
        });
        foreach (var manifests in new[] { K8s, Build("k8s/external-postgres") })
        {
            var connection = ConnectionString(manifests);
            Assert.False(connection.ContainsKey("Password") || connection.ContainsKey("Pwd"));
            Assert.Equal("sweepgrid", connection["Username"]);
        }
    }

    [Fact]
    public void Every_pod_presents_the_cluster_certificate_from_the_tls_Secret_where_SWEEPGRID_TLS_CERT_points()
    {
        var client = Documents(Path.Combine(RepoRoot(), "k8s", "examples", "submit-job.yaml")).Single().Path("spec", "template", "spec");
        foreach (var (name, spec) in Nodes.Select(n => (n.Name, PodSpec(n))).Append(("submit-job", client)))
        {
            var container = spec.Seq("containers").Single();
            var path = container.Seq("env").Single(e => e.Str("name") == ClusterTls.CertificateVariable).Str("value");
            var volume = spec.Seq("volumes").Single(v => v.Has("secret") && v.Path("secret").Str("secretName") == "sweepgrid-tls");
            var mount = container.Seq("volumeMounts").Single(m => m.Str("name") == volume.Str("name"));
            Assert.Equal((Path.GetDirectoryName(path), "cluster.pfx", "true"), (mount.Str("mountPath"), Path.GetFileName(path), mount.Str("readOnly")));
            // Secret files are root's: the pod's group (fsGroup, the user's own) must be able to read the key, and no one else.
            Assert.Equal(("0440", spec.Get("securityContext").Str("runAsUser")), (volume.Path("secret").Str("defaultMode"), spec.Get("securityContext").Str("fsGroup")));
            Assert.DoesNotContain("--insecure", container.Seq("args").Select(a => a.Str()));
        }
    }

    [Fact]
    public void Workers_are_given_longer_to_stop_than_releasing_their_trials_may_take()
    {
        var shutdown = ShutdownSettings.From(NodeConfig);
        int grace = int.Parse(PodSpec(Workers).Str("terminationGracePeriodSeconds"));
        // The release phase, then leaving the cluster (the failure detector's few seconds) before SIGKILL.
        Assert.True(grace >= shutdown.PhaseTimeout.TotalSeconds + 15, $"grace {grace} s against a release phase of {shutdown.PhaseTimeout.TotalSeconds} s");
    }

    [Fact]
    public void The_store_volume_is_shared_and_mounted_where_the_nodes_keep_their_store()
    {
        var claim = K8s.Single("PersistentVolumeClaim", "sweepgrid-store").Node;
        Assert.Equal(["ReadWriteMany"], claim.Path("spec").Seq("accessModes").Select(a => a.Str()));
        foreach (var node in Nodes)
        {
            var store = Assert.Single(Values(Args(Container(node)), "--store"));
            var volume = PodSpec(node).Seq("volumes").Single(v => v.Has("persistentVolumeClaim") && v.Path("persistentVolumeClaim").Str("claimName") == "sweepgrid-store").Str("name");
            Assert.Contains(Container(node).Seq("volumeMounts"), m => m.Str("name") == volume && m.Str("mountPath") == store);
            // The health file and .NET's diagnostics need a writable /tmp on a read-only root.
            Assert.Equal("true", Container(node).Path("securityContext").Str("readOnlyRootFilesystem"));
            Assert.Contains(Container(node).Seq("volumeMounts"), m => m.Str("mountPath") == "/tmp");
        }
    }

    [Fact]
    public void Pods_run_as_the_images_non_root_user()
    {
        var user = File.ReadAllLines(Path.Combine(RepoRoot(), "Dockerfile")).Single(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Split(':')[0];
        Assert.NotEqual("0", user);
        foreach (var node in Nodes)
        {
            var context = PodSpec(node).Get("securityContext");
            Assert.Equal(("true", user, user), (context.Str("runAsNonRoot"), context.Str("runAsUser"), context.Str("fsGroup")));
        }
    }

    [Fact]
    public void The_arguments_in_the_manifests_parse_with_the_real_command_line()
    {
        var client = Documents(Path.Combine(RepoRoot(), "k8s", "examples", "submit-job.yaml")).Single();
        var argLists = Nodes.Select(n => Args(Container(n)))
            .Append(client.Path("spec", "template", "spec").Seq("containers").Single().Seq("args").Select(a => a.Str()).ToList());
        foreach (var args in argLists)
        {
            var concrete = args.Select(a => a.Replace("$(POD_NAME)", "pod-0", StringComparison.Ordinal).Replace("$(POD_IP)", "10.0.0.7", StringComparison.Ordinal)).ToArray();
            var parsed = Cli.Cli.Build(TextWriter.Null, TextWriter.Null).Parse(concrete);
            Assert.True(parsed.Errors.Count == 0, $"{string.Join(' ', args)}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        }
    }
}
