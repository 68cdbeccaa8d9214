using System.Reflection;
using System.Text.RegularExpressions;
using Comp.Api.Data;
using NetArchTest.Rules;

namespace Comp.Api.Tests.Architecture;

/// <summary>
/// The namespaces of Comp.Api form layers without cycles. Lowest first; a layer may use the layers
/// below it (and Comp.Statistics), never one above it:
/// <code>
///   Data            EF Core model, migrations, seeds, demo data, employer upsert, the start-up
///                   initializer (it runs the IDatabaseStartupTask that higher layers register): uses no other layer
///   Auth            API keys (creation, bootstrap key), scopes, authentication, authorization: uses Data
///   Infrastructure  HTTP and host plumbing: problems, JSON bodies, validation, idempotency, telemetry,
///                   health, API documentation, commands: uses Data and Auth
///   Contracts       the named interfaces through which one feature uses another (ITaxonomy, which
///                   the Taxonomy feature implements), with the data they carry: uses Data
///   Features.*      one namespace per feature, sub-namespaces included: uses all of the above,
///                   never another feature
///   Program         the composition root (global namespace): wires everything; nothing uses it
/// </code>
/// Inside Features.Bands the engine stands alone: Engine uses no other Bands namespace; each band
/// source (Index, Sql) uses Engine only; the Bands root uses them all.
/// <para>
/// The checks read the compiled IL with NetArchTest, so no fully qualified name hides a
/// dependency. Two things escape IL: a constant, which the compiler copies into its user, and a
/// use of Program, which NetArchTest cannot name (global namespace). The source check below covers
/// both for the layer and feature rules.
/// </para>
/// </summary>
public sealed class LayeringTests
{
    private const string Root = "Comp.Api";
    private const string FeaturesRoot = Root + ".Features";
    private const string Bands = FeaturesRoot + ".Bands";
    private const string Engine = Bands + ".Engine";

    /// <summary>The shared layers, lowest first; every feature sits above them all.</summary>
    private static readonly string[] SharedLayers =
        [Root + ".Data", Root + ".Auth", Root + ".Infrastructure", Root + ".Contracts"];

    private static readonly Assembly Api = typeof(CompDbContext).Assembly;

    public static TheoryData<string> AllLayers() => new(SharedLayers);

    /// <summary>Every feature namespace, found in the assembly: Comp.Api.Features.X for each X.</summary>
    public static TheoryData<string> AllFeatures() => new(FeatureNamespaces());

    [Theory]
    [MemberData(nameof(AllLayers))]
    public void A_shared_layer_uses_no_layer_above_it_and_no_feature(string layer)
    {
        var above = SharedLayers.SkipWhile(l => l != layer).Skip(1).ToList();
        AssertNoDependency(InNamespace(layer), [.. above, .. FeatureNamespaces()],
            $"{layer} may use only {Describe(SharedLayers.TakeWhile(l => l != layer))}; " +
            $"never {string.Join(", ", above.Append(FeaturesRoot + ".*"))}.");
    }

    [Theory]
    [MemberData(nameof(AllFeatures))]
    public void A_feature_uses_no_other_feature(string feature)
    {
        AssertNoDependency(InNamespace(feature), [.. FeatureNamespaces().Where(f => f != feature)],
            $"{feature} must not use another feature: put the interface it needs in {Root}.Contracts " +
            $"(or what both need in a shared layer).");
    }

    [Fact]
    public void The_features_are_found()
    {
        // Guards the generic feature rule against finding nothing to check.
        var features = FeatureNamespaces();
        foreach (var name in new[] { "Bands", "Datapoints", "Fx", "Keys", "Taxonomy" })
            Assert.Contains($"{FeaturesRoot}.{name}", features);
    }

    [Fact]
    public void Every_type_of_the_service_is_in_a_layer()
    {
        var outside = Api.GetTypes()
            .Where(t => t.Namespace is { } ns && IsIn(ns, Root) && (UnitOf(ns) is null || ns == FeaturesRoot))
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(outside.Count == 0,
            $"These types are in no layer, so no layering rule checks them; put them in one of {Describe(SharedLayers)} " +
            $"or in a feature {FeaturesRoot}.X:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", outside)}");
    }

    [Fact]
    public void The_band_engine_uses_no_band_source_nor_the_bands_root()
    {
        var sources = BandsSubNamespaces().Where(n => n != Engine).ToList();
        AssertNoDependency(InNamespace(Engine), [.. sources, .. BandsRootTypes()],
            $"{Engine} must stand alone: no band source ({string.Join(", ", sources)}) and nothing of the {Bands} root namespace.");
    }

    [Fact]
    public void A_band_source_uses_the_engine_only()
    {
        var sources = BandsSubNamespaces().Where(n => n != Engine).ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            AssertNoDependency(InNamespace(source), [.. sources.Where(s => s != source), .. BandsRootTypes()],
                $"{source} may use {Engine}, but no other band source and nothing of the {Bands} root namespace.");
        }
    }

    /// <summary>
    /// The layer and feature rules once more, on the source: what IL cannot show (a constant, an
    /// unused using). Flags a using directive or a qualified name — Comp.Api.X.Y, or the partial
    /// X.Y and, inside a feature, OtherFeature.Y that C# resolves from the enclosing namespaces — that
    /// names a namespace the file's layer may not use. Comments are skipped.
    /// </summary>
    [Fact]
    public void No_source_file_names_a_namespace_its_layer_may_not_use()
    {
        var features = FeatureNamespaces();
        var names = SharedLayers.Concat(features).Select(n => Regex.Escape(n[(Root.Length + 1)..]));
        var qualified = new Regex($@"(?<![\w.])(?:global::)?(?:{Regex.Escape(Root)}\.)?(?<ns>{string.Join("|", names)})(?![\w])");
        var siblingFeature = new Regex($@"(?<![\w.])(?<ns>{string.Join("|", features.Select(f => Regex.Escape(f[(FeaturesRoot.Length + 1)..])))})\.(?=[A-Z])");
        var program = new Regex(@"(?<![\w.])(?:global::)?Program(?![\w])");
        var source = Path.Combine(RepositoryRoot(), "src", Root);
        var offences = new List<string>();
        var checkedFiles = 0;
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
                continue;
            var text = File.ReadAllText(file);
            if (Regex.Match(text, @"^namespace\s+([\w.]+)", RegexOptions.Multiline) is not { Success: true } declared)
                continue; // Program.cs: the composition root may use everything
            var unit = UnitOf(declared.Groups[1].Value);
            if (unit is null)
                continue; // reported by Every_type_of_the_service_is_in_a_layer
            checkedFiles++;
            var code = Regex.Replace(text, @"//[^\n]*|/\*.*?\*/", "", RegexOptions.Singleline);
            var used = qualified.Matches(code).Select(m => $"{Root}.{m.Groups["ns"].Value}");
            if (IsIn(unit, FeaturesRoot))
                used = used.Concat(siblingFeature.Matches(code).Select(m => $"{FeaturesRoot}.{m.Groups["ns"].Value}"));
            foreach (var ns in used.Distinct().Where(ns => !MayUse(unit, ns)).Order(StringComparer.Ordinal))
                offences.Add($"{relative} ({unit}) -> {ns}");
            if (program.IsMatch(code))
                offences.Add($"{relative} ({unit}) -> Program");
        }
        offences.Sort(StringComparer.Ordinal);
        Assert.True(checkedFiles > 50, $"Only {checkedFiles} source files found under {source}.");
        Assert.True(offences.Count == 0,
            $"Source files name namespaces their layer may not use (see {nameof(LayeringTests)} for the layers):" +
            $"{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", offences)}");
    }

    /// <summary>The shared layer or the feature a namespace belongs to; null when it is in none.</summary>
    private static string? UnitOf(string ns)
    {
        if (SharedLayers.FirstOrDefault(l => IsIn(ns, l)) is { } layer)
            return layer;
        return IsIn(ns, FeaturesRoot) ? string.Join('.', ns.Split('.').Take(4)) : null;
    }

    private static bool MayUse(string unit, string ns)
    {
        var target = UnitOf(ns);
        if (target is null || target == unit)
            return true;
        var below = IsIn(unit, FeaturesRoot) ? SharedLayers : SharedLayers.TakeWhile(l => l != unit);
        return below.Contains(target);
    }

    private static bool IsIn(string ns, string layer) =>
        ns == layer || ns.StartsWith(layer + ".", StringComparison.Ordinal);

    private static string Describe(IEnumerable<string> layers) =>
        layers.Any() ? string.Join(", ", layers) : "Comp.Statistics and the frameworks";

    private static List<string> FeatureNamespaces() => NamespacesBelow(FeaturesRoot);

    private static List<string> BandsSubNamespaces() => NamespacesBelow(Bands);

    /// <summary>The namespaces one level below <paramref name="parent"/> that hold types.</summary>
    private static List<string> NamespacesBelow(string parent) =>
        Api.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(ns => ns.StartsWith(parent + ".", StringComparison.Ordinal))
            .Select(ns => string.Join('.', ns.Split('.').Take(parent.Split('.').Length + 1)))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The types of the Bands root namespace itself, by full name: the dependency
    /// "Comp.Api.Features.Bands" would also match its sub-namespaces.
    /// </summary>
    private static List<string> BandsRootTypes() =>
        Api.GetTypes()
            .Where(t => t.Namespace == Bands && !t.IsNested)
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The types in the namespace and its sub-namespaces, not in namespaces that merely start alike.</summary>
    private static Func<PredicateList> InNamespace(string ns) =>
        () => Types.InAssembly(Api).That().ResideInNamespaceMatching($"^{Regex.Escape(ns)}(\\.|$)");

    /// <summary>
    /// Fails naming every offending type and what it uses, one line each ("Type -> dependency"):
    /// NetArchTest lists the failing types, and asking once per forbidden name tells which it uses.
    /// </summary>
    private static void AssertNoDependency(Func<PredicateList> types, string[] forbidden, string rule)
    {
        Assert.NotEmpty(types().GetTypes());
        if (forbidden.Length == 0 || types().ShouldNot().HaveDependencyOnAny(forbidden).GetResult().IsSuccessful)
            return;
        var offences = forbidden
            .SelectMany(f => (types().ShouldNot().HaveDependencyOn(f).GetResult().FailingTypeNames ?? [])
                .Select(t => $"{t} -> {f}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Fail($"{rule}{Environment.NewLine}Offending types:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", offences)}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Comp.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException("No Comp.sln above the test binaries.");
    }
}
