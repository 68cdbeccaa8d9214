using Comp.Api.Auth;
using Comp.Api.Contracts;
using Comp.Api.Data;
using Comp.Api.Features.Bands;
using Comp.Api.Features.Datapoints;
using Comp.Api.Features.Fx;
using Comp.Api.Features.Keys;
using Comp.Api.Features.PeerGroups;
using Comp.Api.Features.Taxonomy;
using Comp.Api.Infrastructure;
using Comp.Statistics;
using FluentValidation;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddCompData(builder.Configuration);
builder.Services.AddApiKeyAuth(builder.Configuration);
builder.Services.AddIdempotency();
builder.Services.AddCompRateLimits(builder.Configuration);
builder.Services.AddApiDocumentation();
builder.Services.AddCompTelemetry(builder.Configuration);
builder.Services.AddValidators();
builder.Services.AddSingleton<TaxonomyCache>();
builder.Services.AddSingleton<ITaxonomy>(services => services.GetRequiredService<TaxonomyCache>());
builder.Services.AddSingleton<JsonOptionsAccessor>();
builder.Services.Configure<DisclosureRules>(builder.Configuration.GetSection("Disclosure"));
builder.Services.AddBandStore(builder.Configuration);
builder.Services.AddScoped<BandService>();
builder.Services.AddSingleton<AnswerCache>();
builder.Services.ConfigureSwaggerGen(options => options.SchemaFilter<DemoExamplesFilter>());

var app = builder.Build();

if (await app.RunCommandAsync(args))
    return;

// The protected tier's key, checked at start-up: without Privacy:Key (outside Development) the
// service stops here with an error naming it, not at the first anonymous band request.
app.Services.GetRequiredService<Comp.Api.Features.Bands.Protection>();

app.UseCompForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
// Before the invalid-key check: a flood of bad keys is limited per IP like any anonymous caller.
app.UseCompRateLimits();
app.UseRejectInvalidApiKeys();
app.UseAuthorization();

app.UseApiDocumentation();
app.MapHealth();
app.MapCompTelemetry();
app.MapDatapoints();
app.MapBands();
app.MapTaxonomy();
app.MapTaxonomyAdmin();
app.MapEmployerLevels();
app.MapEmployerVesting();
app.MapFx();
app.MapKeys();
app.MapPeerGroups();

app.Run();

public partial class Program;
