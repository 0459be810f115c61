#ifndef AGENTCORE_GITOPS_CZLIB_H
#define AGENTCORE_GITOPS_CZLIB_H
#include <zlib.h>
#endif
