/* reelay-page-engine: the web page engine process (engine/engine.h). Not a
 * user command: reelay starts it (renderers/web/page_engine.h). */
#include "engine/engine.h"

int main(int argc, char **argv)
{
    return reelay_cmd_page_engine(argc, argv);
}
