using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Skylark.Events.Hosting;

public static class OptionsValidation
{
    /// <summary>
    /// Validates <typeparamref name="TOptions"/> with its own <paramref name="validate"/> (which throws
    /// <see cref="ArgumentException"/> naming the bad value) when the host starts, so a bad value stops the start with
    /// that message instead of failing the first request that needs it.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateOnStart<TOptions>(this OptionsBuilder<TOptions> options, Action<TOptions> validate)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validate);
        options.Services.AddSingleton<IValidateOptions<TOptions>>(new Validator<TOptions>(options.Name, validate));
        return options.ValidateOnStart();
    }

    private sealed class Validator<TOptions>(string? name, Action<TOptions> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? optionsName, TOptions options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException error)
            {
                return ValidateOptionsResult.Fail(error.Message);
            }
        }
    }
}
