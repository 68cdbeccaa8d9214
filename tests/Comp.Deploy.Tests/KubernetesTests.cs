using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Comp.Deploy.Tests;

public class KubernetesTests
{
    static readonly YamlMappingNode Deployment = Repo.K8sResource("Deployment");
    static readonly YamlNode Api = Assert.Single(Deployment.Items("spec", "template", "spec", "containers"));

    /// <summary>A probe's or Service's port, a number or the name of one of the container's ports.</summary>
    static int ContainerPort(string? port) =>
        int.TryParse(port, out var number)
            ? number
            : int.Parse(Assert.Single(Api.Items("ports"), p => p.Str("name") == port).Str("containerPort")!);

    [Fact]
    public void Deployment_is_ready_on_health_ready_and_alive_on_health_live_at_port_8080()
    {
        Assert.Equal("/health/ready", Api.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal(8080, ContainerPort(Api.Str("readinessProbe", "httpGet", "port")));
        Assert.Equal("/health/live", Api.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal(8080, ContainerPort(Api.Str("livenessProbe", "httpGet", "port")));
        Assert.Equal("/health/live", Api.Str("startupProbe", "httpGet", "path"));
    }

    [Fact]
    public void Deployment_runs_as_a_non_root_user_without_privilege_escalation()
    {
        var pod = Deployment.At("spec", "template", "spec")!;

        Assert.Equal("true", pod.Str("securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", pod.Str("securityContext", "runAsUser"));
        Assert.Equal("false", Api.Str("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", Api.Str("securityContext", "readOnlyRootFilesystem"));
    }

    [Fact]
    public void Deployment_takes_its_connection_strings_from_the_secret()
    {
        var secret = Repo.K8sResource("Secret");
        var secretName = secret.Str("metadata", "name");
        var configMap = Repo.K8sResource("ConfigMap");

        Assert.Contains(Api.Items("envFrom"), e => e.Str("secretRef", "name") == secretName);
        Assert.Contains(Api.Items("envFrom"), e => e.Str("configMapRef", "name") == configMap.Str("metadata", "name"));
        Assert.Contains("ConnectionStrings__Comp", secret.Keys("stringData"));
        Assert.Contains("ConnectionStrings__CompRead", secret.Keys("stringData"));
        // Nowhere else, where a plain value would win over the Secret or leak a password.
        Assert.DoesNotContain(configMap.Keys("data"), k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
        Assert.DoesNotContain(Api.Items("env"), e => e.Str("name")!.StartsWith("ConnectionStrings__", StringComparison.Ordinal));
    }

    [Fact]
    public void Deployment_leaves_migrations_to_the_job()
    {
        var setting = Assert.Single(Api.Items("env"), e => e.Str("name") == "Database__MigrateOnStartup");

        Assert.Equal("false", setting.Str("value"));
    }

    [Fact]
    public void Service_sends_port_80_to_the_api_pods_on_8080()
    {
        var service = Repo.K8sResource("Service");
        var port = Assert.Single(service.Items("spec", "ports"));
        var podLabels = Deployment.At("spec", "template", "metadata", "labels")!;

        Assert.Equal("80", port.Str("port"));
        Assert.Equal(8080, ContainerPort(port.Str("targetPort")));
        Assert.All(service.Keys("spec", "selector"), k => Assert.Equal(service.Str("spec", "selector", k), podLabels.Str(k)));
        Assert.All(Deployment.Keys("spec", "selector", "matchLabels"),
            k => Assert.Equal(Deployment.Str("spec", "selector", "matchLabels", k), podLabels.Str(k)));
    }

    [Fact]
    public void Hpa_scales_the_deployment_between_2_and_10_replicas_on_cpu()
    {
        var hpa = Repo.K8sResource("HorizontalPodAutoscaler");

        Assert.Equal("autoscaling/v2", hpa.Str("apiVersion"));
        Assert.Equal("Deployment", hpa.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal(Deployment.Str("metadata", "name"), hpa.Str("spec", "scaleTargetRef", "name"));
        Assert.Equal("2", hpa.Str("spec", "minReplicas"));
        Assert.Equal("10", hpa.Str("spec", "maxReplicas"));
        var metric = Assert.Single(hpa.Items("spec", "metrics"));
        Assert.Equal("cpu", metric.Str("resource", "name"));
        Assert.Equal("70", metric.Str("resource", "target", "averageUtilization"));
    }

    [Fact]
    public void Migration_job_runs_migrate_with_the_same_secret_and_image()
    {
        var job = Repo.K8sResource("Job");
        var container = Assert.Single(job.Items("spec", "template", "spec", "containers"));

        Assert.Equal(["dotnet", "Comp.Api.dll", "migrate"], container.Strings("command").Concat(container.Strings("args")));
        Assert.Equal(Api.Str("image"), container.Str("image"));
        Assert.Contains(container.Items("envFrom"), e => e.Str("secretRef", "name") == Repo.K8sResource("Secret").Str("metadata", "name"));
        Assert.NotNull(job.Str("spec", "backoffLimit"));
        Assert.Equal("true", job.Str("spec", "template", "spec", "securityContext", "runAsNonRoot"));
    }

    [Fact]
    public void Cnpg_cluster_has_a_primary_and_replicas_that_the_connection_strings_point_at()
    {
        var cluster = Repo.K8sResource("Cluster");
        var name = cluster.Str("metadata", "name");
        var secret = Repo.K8sResource("Secret");

        Assert.Equal("postgresql.cnpg.io/v1", cluster.Str("apiVersion"));
        Assert.True(int.Parse(cluster.Str("spec", "instances")!) >= 2);
        Assert.Equal("comp", cluster.Str("spec", "bootstrap", "initdb", "database"));
        Assert.Contains($"Host={name}-rw;", secret.Str("stringData", "ConnectionStrings__Comp"));
        Assert.Contains($"Host={name}-ro;", secret.Str("stringData", "ConnectionStrings__CompRead"));
    }

    [Fact]
    public void Every_configmap_setting_is_a_key_of_appsettings_json()
    {
        using var appsettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "src", "Comp.Api", "appsettings.json")));

        Assert.All(Repo.K8sResource("ConfigMap").Keys("data"), key =>
        {
            var element = appsettings.RootElement;
            foreach (var part in key.Split("__"))
                Assert.True(element.TryGetProperty(part, out element), $"{key} is not a setting of appsettings.json");
        });
    }
}
