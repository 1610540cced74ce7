using System.Text.Json;
using Microsoft.Extensions.Options;
using Skylark.Events.Predictor.Planning;
using StackExchange.Redis;

namespace Skylark.Events.Predictor.Persistence;

/// <summary>
/// Loads the model from Redis before the first completion is decided on, writes it back whenever it changed (every
/// <see cref="PredictorOptions.PersistInterval"/>) and once more on shutdown. If the stored model could not be read
/// at start, nothing is written until it has been: an unreachable Redis must not cost the learned model.
/// Without <see cref="PredictorOptions.Redis"/> the model lives in memory only. Only the
/// <see cref="PredictorPolicy.Predictive"/> policy has a model: under any other policy this service neither reads nor
/// writes Redis, so a run of another policy leaves a stored model as it was.
/// </summary>
public sealed partial class ModelPersistenceService : BackgroundService
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(5);

    private readonly NextHopPredictor _predictor;
    private readonly PredictorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IConnectionMultiplexer? _sharedRedis;
    private IConnectionMultiplexer? _ownedRedis;
    private RedisModelStore? _store;
    private volatile bool _loaded;
    private long _savedVersion = -1;

    public ModelPersistenceService(
        NextHopPredictor predictor,
        IOptions<PredictorOptions> options,
        TimeProvider time,
        ILogger<ModelPersistenceService> logger,
        PredictorRedis? sharedRedis = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _predictor = predictor;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _sharedRedis = sharedRedis?.Multiplexer;
    }

    /// <summary>
    /// Whether decisions use the stored model: true once it has been read (or found absent or unreadable), and when
    /// there is nothing to read (no Redis, or a policy without a model). Until then the Predictor is not ready.
    /// </summary>
    public bool ModelLoaded => _loaded || _store is null;

    /// <summary>The Redis the model is kept in, when there is one.</summary>
    public IConnectionMultiplexer? Redis => _sharedRedis ?? _ownedRedis;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Policy != PredictorPolicy.Predictive)
        {
            LogNoModelForPolicy(_options.Policy);
        }
        else if (_sharedRedis is not null || _options.Redis is not null)
        {
            var redis = _sharedRedis;
            if (redis is null)
            {
                var configuration = ConfigurationOptions.Parse(_options.Redis!);
                if (_options.RedisPassword is not null)
                {
                    configuration.Password = _options.RedisPassword;
                }

                if (_options.RedisUser is not null)
                {
                    configuration.User = _options.RedisUser;
                }

                // Redis may come up after the Predictor; the multiplexer keeps reconnecting in the background.
                configuration.AbortOnConnectFail = false;
                configuration.ClientName ??= "skylark-predictor";
                _ownedRedis = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                redis = _ownedRedis;
            }

            _store = new RedisModelStore(redis, _options.ModelKey);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(LoadTimeout);
            await TryLoadAsync(timeout.Token).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_store is not null)
        {
            await TrySaveAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_ownedRedis is not null)
        {
            await _ownedRedis.DisposeAsync().ConfigureAwait(false);
            _ownedRedis = null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.PersistInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!_loaded)
                {
                    await TryLoadAsync(stoppingToken).ConfigureAwait(false);
                }

                await TrySaveAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; StopAsync writes the final model.
        }
    }

    private async Task TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var state = await _store!.LoadAsync(cancellationToken).ConfigureAwait(false);
            if (state is not null)
            {
                _predictor.ImportModel(state);
                LogLoaded(_store.Key, state.Successors.Count, state.Placements.Count, state.CoReads.Count);
            }
            else
            {
                LogNoModel(_store.Key);
            }

            _loaded = true;
            _savedVersion = _predictor.ModelVersion;
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException or TimeoutException)
        {
            LogLoadFailed(e, _store!.Key);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // A stored model we cannot read is replaced by the one learned from now on; say so loudly.
            LogUnreadable(e, _store!.Key);
            _loaded = true;
        }
    }

    private async Task TrySaveAsync(CancellationToken cancellationToken)
    {
        var version = _predictor.ModelVersion;
        if (!_loaded || version == _savedVersion)
        {
            return;
        }

        try
        {
            var bytes = await _store!.SaveAsync(_predictor.ExportModel(), cancellationToken).ConfigureAwait(false);
            _savedVersion = version;
            LogSaved(_store.Key, bytes);
        }
        catch (Exception e) when (e is RedisException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogSaveFailed(e, _store!.Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the predictor model from {Key}: {Successors} successor rates, {Placements} placement entries, {CoReads} co-read sets")]
    private partial void LogLoaded(string key, int successors, int placements, int coReads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy {Policy} learns no model: nothing is loaded from or saved to Redis")]
    private partial void LogNoModelForPolicy(PredictorPolicy policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "No predictor model stored at {Key}; starting without history")]
    private partial void LogNoModel(string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load the predictor model from {Key}; will retry before writing")]
    private partial void LogLoadFailed(Exception error, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "The predictor model at {Key} is unreadable; it will be replaced")]
    private partial void LogUnreadable(Exception error, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Saved the predictor model to {Key} ({Bytes} bytes)")]
    private partial void LogSaved(string key, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not save the predictor model to {Key}")]
    private partial void LogSaveFailed(Exception error, string key);
}
