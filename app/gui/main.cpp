// Entry point of the desktop app: `lookbook [CATALOG]`. The window shows at once; the model
// and the catalog's index load in the background.
#include "MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Lookbook"));
    QApplication::setApplicationName(QStringLiteral("Lookbook"));
    QApplication::setApplicationDisplayName(QStringLiteral("Lookbook"));
    QApplication::setApplicationVersion(QStringLiteral(LOOKBOOK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("lookbook"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lookbook: drop any picture and see the catalog items that look most like it."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("CATALOG"), QStringLiteral("The catalog folder to open (default: the last one)."),
                                 QStringLiteral("[CATALOG]"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("The ONNX model file."), QStringLiteral("path"));
    const QCommandLineOption cache(QStringLiteral("cache"), QStringLiteral("The cache file for CATALOG."), QStringLiteral("file"));
    parser.addOptions({model, cache});
    parser.process(app);

    lookbook::MainWindow::Options options;
    options.catalog = parser.positionalArguments().value(0);
    options.modelPath = parser.value(model);
    options.cachePath = parser.value(cache);
    lookbook::MainWindow window(options);
    window.show();
    QTimer::singleShot(0, &window, &lookbook::MainWindow::start); // after the first paint
    return QApplication::exec();
}
