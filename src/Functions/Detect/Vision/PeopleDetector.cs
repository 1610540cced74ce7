using OpenCvSharp;

namespace Skylark.Events.Functions.Detect.Vision;

/// <summary>
/// OpenCV's HOG + linear SVM pedestrian detector (Dalal–Triggs, 64×128 window). Only finds upright people at least
/// 128 pixels tall, so it suits full-resolution frames more than 320×240 ones.
/// </summary>
public static class PeopleDetector
{
    /// <summary>Length of OpenCV's default people SVM (3780 HOG features + bias), exposed to check the runtime has it.</summary>
    public static int DefaultDetectorLength => DefaultDetector.Value.Length;

    private static readonly Lazy<float[]> DefaultDetector = new(HOGDescriptor.GetDefaultPeopleDetector);

    /// <summary>Detects people in an 8-bit grayscale or BGR image.</summary>
    public static IReadOnlyList<Detection> Detect(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width < 64 || image.Height < 128)
        {
            return [];
        }

        // A descriptor per call: HOGDescriptor is cheap to set up and this keeps the detector free of shared native state.
        using var hog = new HOGDescriptor();
        hog.SetSVMDetector(DefaultDetector.Value);
        var found = hog.DetectMultiScale(image, hitThreshold: 0, winStride: new Size(8, 8), padding: new Size(8, 8), scale: 1.05, groupThreshold: 2);
        return [.. found.Select(static rect => new Detection(new BoundingBox(rect.X, rect.Y, rect.Width, rect.Height), (double)rect.Width * rect.Height))];
    }
}
